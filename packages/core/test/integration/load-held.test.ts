/**
 * A worker ended while it loads koffi's native module aborts the process (ffi/load-gate.ts), so an end waits for
 * that load. It takes tens of ms (163 ms at most, measured under heavy load), but a thread can be kept from running
 * for longer (load, swap, a debugger): a wait that gave up (after 2 s, as it did) ended the worker inside its load
 * all the same. Here the test holds the worker thread still (ptrace) right as it opens the native module, ends the
 * pool (close, or the process's exit), keeps the thread held well past that old bound (or until the pool ends it),
 * then lets it go: the process must end as the script says, never abort.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { expect, it } from "vitest";
import {
  failEach,
  inKoffiInit,
  PTRACE_DETACH,
  PTRACE_EVENT_CLONE,
  PTRACE_O_TRACECLONE,
  PTRACE_O_TRACESYSGOOD,
  PTRACE_SEIZE,
  ptrace,
  runUntilEvent,
  SYS_OPENAT,
  stopAt,
  stringAt,
  traced,
  waitStop,
} from "./ptrace.js";

const SCRIPT = new URL("../fixtures/load-held.mjs", import.meta.url).pathname;
/** How long the worker is held unless the pool ends it first: past the old bound (2 s of waiting) by far. */
const HOLD_MS = 5000;

/**
 * Runs the fixture (`how` it ends the pool) with its worker held in its load (or, "fail", with its load made to
 * fail): how it exited, its stderr, the lines it printed (and those while its worker was held).
 */
async function endDuringLoad(how: "close" | "exit" | "fail") {
  const child = spawn(process.execPath, [SCRIPT, how], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const lines: string[] = [];
  let heard = () => {};
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    heard();
  });
  const printed = (line: string) => new Promise<void>((resolve) => (heard = () => lines.includes(line) && resolve()));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (status, signal) => resolve({ status, signal })),
  );
  let held: number | undefined;
  try {
    await new Promise<void>((resolve) => (heard = resolve));
    const { pid } = JSON.parse(lines[0] as string) as { pid: number };
    // The main thread traced for its clones only: the worker thread it starts at "go" is traced from its first instruction.
    traced("PTRACE_SEIZE", ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD));
    child.stdin.write("go\n");
    try {
      held = runUntilEvent(pid, PTRACE_EVENT_CLONE);
    } finally {
      ptrace(PTRACE_DETACH, pid, 0, 0);
    }
    const tid = held;
    waitStop(tid);
    if (how === "fail") {
      // Every open of koffi's files refused (ENOSYS): they come after the gate, in its load, which fails; the thread ends.
      const koffiFile = (nr: bigint, args: bigint[]) =>
        nr === BigInt(SYS_OPENAT) && /\/node_modules\/(koffi|@koromix)\//.test(stringAt(pid, args[1] as bigint));
      expect(failEach(tid, koffiFile)).toBeGreaterThan(0);
      held = undefined;
      return { ...(await exited), stderr, whileHeld: [], lines: lines.slice(1) };
    }
    // Into koffi's native init, past the gate: its load under way.
    expect(stopAt(tid, inKoffiInit(pid))).toBeGreaterThan(0);
    child.stdin.end("end\n");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([printed("ending"), new Promise((resolve) => (timer = setTimeout(resolve, HOLD_MS)))]);
    clearTimeout(timer);
    const whileHeld = lines.slice(1);
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    held = undefined;
    return { ...(await exited), stderr, whileHeld, lines: lines.slice(1) };
  } finally {
    if (held !== undefined) ptrace(PTRACE_DETACH, held, 0, 0);
    child.kill("SIGKILL");
  }
}

it("pool.close ends a worker held in its load once the load is done, and the process ends cleanly", async () => {
  const run = await endDuringLoad("close");
  expect(run.stderr).not.toContain("FATAL ERROR");
  expect(run).toMatchObject({ status: 0, signal: null, whileHeld: [], lines: ["ending", "closed"] });
}, 60_000);

it("process.exit waits for a worker held in its load, and exits with its code", async () => {
  const run = await endDuringLoad("exit");
  expect(run.stderr).not.toContain("FATAL ERROR");
  expect(run).toMatchObject({ status: 0, signal: null });
}, 60_000);

it("a worker whose load fails does not hold the exit the script asks for on hearing of it", async () => {
  // Its gate said its load was under way for good: an exit waiting for it however long would have waited forever.
  const run = await endDuringLoad("fail");
  expect(run.stderr).not.toContain("FATAL ERROR");
  expect(run).toMatchObject({ status: 5, signal: null });
}, 60_000);
