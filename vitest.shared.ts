/**
 * The vitest projects every package uses: "unit" (beside the code, runs
 * anywhere) and "integration" (needs root and a real kernel; one file at a
 * time so tests' namespaces never race).
 */
import { defineConfig } from "vitest/config";

export const neslinkProjects = defineConfig({
  test: {
    projects: [
      {
        // 20 s, not vitest's 5: CI runs every package's unit tests at once on 2 cores, and a test's first call loads
        // and compiles cold code (the CLI's topology tests load YAML and the schema validator on first use).
        test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
    ],
  },
});
