// A process that ends while a pool worker is still loading koffi's native module must end as the script says (its
// uncaught error, its exit code), never abort in the worker's teardown (ffi/load-gate.ts). Without the gate about
// one run in twenty aborted with "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" (exit 134).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";

const SCRIPT = fileURLToPath(new URL("../fixtures/exit-early.mjs", import.meta.url));
const RUNS = 25;
// A name no namespace has: the task fails at once, with nothing to clean up.
const missing = `${uniquePrefix("xe")}-none`;

function outcomes(how: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string }[] {
  return Array.from({ length: RUNS }, () => {
    const { status, signal, stderr } = spawnSync(process.execPath, [SCRIPT, how, missing], { encoding: "utf8", timeout: 30_000 });
    return { status, signal, stderr };
  });
}

it("an uncaught error ends the process with it while a worker starts, never an abort", () => {
  for (const run of outcomes("throw")) {
    expect(run.stderr).not.toContain("FATAL ERROR");
    expect(run.stderr).toContain("ERR_NS_NOT_FOUND");
    expect({ status: run.status, signal: run.signal }).toEqual({ status: 1, signal: null });
  }
}, 120_000);

it("process.exit while a worker starts exits with its code, never an abort", () => {
  for (const run of outcomes("exit")) {
    expect(run.stderr).not.toContain("FATAL ERROR");
    expect({ status: run.status, signal: run.signal }).toEqual({ status: 3, signal: null });
  }
}, 120_000);
