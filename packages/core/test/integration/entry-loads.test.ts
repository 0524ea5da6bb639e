/**
 * What a process that uses core loads: typebox (the topology schema's source,
 * made into topology.schema.json at build) never, not even to load and plan a
 * topology. Each module loaded is a file open at import, so this is start-up
 * time and, under a low descriptor limit, an EMFILE (descriptor-limit.test.ts
 * failed so when a constant next to the schema pulled typebox in).
 */
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

const CORE = new URL("../../dist/index.js", import.meta.url).href;
/** A module loader hook that says each package a module imports. */
const HOOKS = `export async function resolve(specifier, context, next) {
  if (!specifier.startsWith(".") && !specifier.startsWith("node:") && !specifier.startsWith("file:")) process._rawDebug("IMPORT " + specifier);
  return next(specifier, context);
}`;

it("importing core, and loading and planning a topology, never loads typebox", () => {
  const script = `
    const { topology, closeDefaultPool } = await import(${JSON.stringify(CORE)});
    const lab = topology.load("name: loads\\nnodes:\\n  a: { exec: [{ command: ['true'], timeout: 5 }] }\\n");
    await topology.plan(lab);
    await closeDefaultPool();`;
  const r = spawnSync(
    process.execPath,
    ["--no-warnings", "--experimental-loader", `data:text/javascript,${encodeURIComponent(HOOKS)}`, "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(r.status).toBe(0);
  const imported = r.stderr.split("\n").filter((l) => l.startsWith("IMPORT "));
  // The hook sees the main thread's imports: had it seen none, this test would prove nothing.
  expect(imported).toContain("IMPORT @neslink/codec-wasm");
  expect(imported.filter((l) => l.includes("typebox"))).toEqual([]);
});
