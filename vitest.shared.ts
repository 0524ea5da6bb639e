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
        test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node" },
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
