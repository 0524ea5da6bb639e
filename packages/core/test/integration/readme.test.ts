/**
 * Every code example of the READMEs runs as written. Each runs in a child
 * process inside a mount and network namespace of its own, with a fresh tmpfs
 * on /run/netns: the examples' names ("lab1", "hub") and everything they make
 * stay there, and go with the child when it exits.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { runIsolated } from "./kernel.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const READMES = ["README.md", "packages/core/README.md", "packages/codec-wasm/README.md"];
/** Under the repository's node_modules, so `@neslink/*` resolve as they do for a user's script. */
const SCRATCH = `${ROOT}node_modules/.cache/neslink-readme`;
/** Generous: the largest example makes 501 namespaces and 500 veths. */
const EXAMPLE_TIMEOUT_MS = 60_000;

interface Example {
  readme: string;
  line: number;
  code: string;
}

function examplesOf(readme: string): Example[] {
  const text = readFileSync(`${ROOT}${readme}`, "utf8");
  const examples: Example[] = [];
  const fence = /^```(ts|js)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    examples.push({ readme, line: text.slice(0, m.index).split("\n").length, code: m[2] as string });
  }
  return examples;
}

const examples = READMES.flatMap(examplesOf);

/** ```yaml blocks that start with `# <path>` (from the repository's root) show that file: its lines, less its comment lines. */
function shownFiles(readme: string): { path: string; shown: string }[] {
  const text = readFileSync(`${ROOT}${readme}`, "utf8");
  return [...text.matchAll(/^```yaml\n# (\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({ path: m[1] as string, shown: m[2] as string }));
}

describe("README examples", () => {
  it.each(READMES.flatMap(shownFiles).map((f) => [f.path, f] as const))("shows %s as it is", (_, { path, shown }) => {
    const file = readFileSync(`${ROOT}${path}`, "utf8");
    expect(shown).toBe(
      `${file
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .join("\n")}`,
    );
  });

  it("finds the examples", () => {
    expect(examples.filter((e) => e.readme === "README.md").length).toBeGreaterThanOrEqual(3);
  });

  // The fences say ts: a user pastes them into a strict TypeScript project, against the published types.
  it("type-checks every ```ts example in strict mode against the built types", () => {
    const dir = `${SCRATCH}/typecheck`;
    mkdirSync(dir, { recursive: true });
    const files = examples
      .filter((e) => /^```ts$/m.test(readFileSync(`${ROOT}${e.readme}`, "utf8").split("\n")[e.line - 1] ?? ""))
      .map((e) => {
        const file = `${dir}/${e.readme.replaceAll("/", "_")}-${e.line}.ts`;
        writeFileSync(file, `${e.code}\nexport {};\n`);
        return file;
      });
    expect(files.length).toBeGreaterThanOrEqual(3);
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const options = [
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "--target",
      "es2022",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
    ];
    const run = spawnSync(process.execPath, [tsc, ...options, "--types", "node", ...files], { encoding: "utf8", cwd: dir });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it.each(examples.map((e) => [`${e.readme}:${e.line}`, e] as const))("%s runs as written and exits by itself", (_, example) => {
    mkdirSync(SCRATCH, { recursive: true });
    const file = `${SCRATCH}/${example.readme.replaceAll("/", "_")}-${example.line}.mjs`;
    writeFileSync(file, example.code);
    const run = runIsolated(["/run/netns"], [process.execPath, file], EXAMPLE_TIMEOUT_MS);
    expect(run.error, "timed out: the example did not exit by itself").toBeUndefined();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
