/**
 * A custom action's module may load a native module of its own (an addon, koffi of another version): the worker runs
 * the addon's init for its thread during the import, and a worker thread ended there aborts the whole process ("FATAL
 * ERROR: Error::ThrowAsJavaScriptException napi_throw"), as one ended in core's own load of koffi did
 * (ffi/load-gate.ts). A timeout, an abort or a close that ended the worker then took every other task and the
 * caller's process with it: pool-faults.test.ts met it under load (a task timed out while faults.mjs imported koffi),
 * and a script timing such a task out at 1 to 40 ms aborted within 400 tries. Here the test holds the worker thread
 * still (ptrace) as it opens the addon's file, has the task aborted, and lets the thread go once the pool has handled
 * the abort.
 */
import { spawn } from "node:child_process";
import * as readline from "node:readline";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { PTRACE_DETACH, ptrace, SYS_OPENAT, seizeStopped, stopAt, stringAt, traced } from "./ptrace.js";

const SCRIPT = new URL("../fixtures/abort-in-user-load.mjs", import.meta.url).pathname;
/** x86_64's ioctl(2). */
const SYS_IOCTL = 16n;

// The addon: a copy of koffi's native module, which this process has not loaded (its file is opened by the load).
const dir = mkdtempSync(join(tmpdir(), "neslink-user-load-"));
const addon = join(dir, "addon.node");
const koffiPackage = dirname(createRequire(import.meta.url).resolve("@koromix/koffi-linux-x64/package.json"));
copyFileSync(join(koffiPackage, "linux_x64", "koffi.node"), addon);
const module = join(dir, "user.mjs");
writeFileSync(
  module,
  `import { createRequire } from "node:module";\nconst addon = createRequire(import.meta.url)("./addon.node");\nexport const loaded = () => typeof addon.load;\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a task aborted while its module loads an addon ends its worker once that load is done: the process lives on", async () => {
  const child = spawn(process.execPath, [SCRIPT, module], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (status, signal) => resolve({ status, signal })),
  );
  const lines = createInterface(child.stdout);
  const next = async () => (await lines.next()).value as string | undefined;
  let tid: number | undefined;
  try {
    tid = (JSON.parse((await next()) as string) as { tid: number }).tid;
    seizeStopped(tid);
    child.stdin.write("start\n");
    // Into the addon's init: its first ioctl(2) (koffi asks whether its output is a terminal) after dlopen opened its file.
    // Not within dlopen: held there, the thread holds the loader's lock, which the main thread then waits for too.
    let opened = false;
    stopAt(
      tid,
      (nr, args) => {
        opened ||= nr === BigInt(SYS_OPENAT) && stringAt(child.pid as number, args[1] as bigint) === addon;
        return opened && nr === SYS_IOCTL;
      },
      "entry",
    );
    // Its input ends with it: once the pool has closed, nothing should keep the process.
    child.stdin.end("abort\n");
    const whileHeld = await next();
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    tid = undefined;
    const after = await next();
    expect({ whileHeld, after, ...(await exited), fatal: stderr.includes("FATAL ERROR") }).toEqual({
      whileHeld: "held",
      after: "closed",
      status: 0,
      signal: null,
      fatal: false,
    });
  } finally {
    if (tid !== undefined) ptrace(PTRACE_DETACH, tid, 0, 0);
    child.kill("SIGKILL");
  }
}, 60_000);

/** The lines of `input`, one at a time. */
function createInterface(input: NodeJS.ReadableStream) {
  return readline.createInterface({ input })[Symbol.asyncIterator]();
}
