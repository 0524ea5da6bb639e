/**
 * A worker ended after its event loop had collected a program (wait4) and before the loop ran that program's exit
 * callback left the program's pid in the pool's record of its running programs. The pool then collected "it" for
 * the ended worker: by then the kernel may have given that pid to another child of the process, whose exit status the
 * pool took (its own waiter then finds nothing: ECHILD, and a ChildProcess of Node's never emits "exit"). Here the
 * fixture runs in a pid namespace of its own, where it can have the freed pid given to a child of its own at once;
 * the test holds the worker (ptrace) right after its wait4, until that child has ended and the worker is being ended.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { expect, it } from "vitest";
import { until } from "./kernel.js";
import { PTRACE_DETACH, ptrace, SYS_WAIT4, seizeStopped, stopAt, traced } from "./ptrace.js";

const SCRIPT = new URL("../fixtures/stale-child.mjs", import.meta.url).pathname;

/** The host's id of the thread the first process under `unshare` (pid `outer`) knows as `tid` in its pid namespace. */
function hostTid(outer: number, tid: number): number {
  const [inner] = readFileSync(`/proc/${outer}/task/${outer}/children`, "utf8").trim().split(" ");
  for (const task of readdirSync(`/proc/${inner}/task`)) {
    const ids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${inner}/task/${task}/status`, "utf8"))?.[1]?.split(/\s+/);
    if (Number(ids?.at(-1)) === tid) return Number(task);
  }
  throw new Error(`no thread ${tid} in process ${inner}`);
}

it("a worker ended between collecting a program and its exit callback takes no status of the process's other children", async () => {
  const child = spawn("unshare", ["--pid", "--fork", "--kill-child", "--mount-proc", process.execPath, SCRIPT], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the fixture ended early");
    return value as string;
  };
  let held: number | undefined;
  try {
    const { tid: inner } = JSON.parse(await next()) as { tid: number };
    const tid = hostTid(child.pid as number, inner);
    seizeStopped(tid);
    held = tid;
    child.stdin.write("start\n");
    // The pid its loop collected, as this namespace numbers it (wait4's return, in the worker's namespace).
    const collected = stopAt(tid, (nr, _args, returned) => nr === BigInt(SYS_WAIT4) && returned > 0);
    child.stdin.write(`reuse ${collected}\n`);
    expect(await next()).toBe("reused");
    child.stdin.write("abort\n");
    expect(await next()).toBe("ending");
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    held = undefined;
    expect(JSON.parse(await next())).toEqual({ own: "collected", status: 0 });
  } finally {
    if (held !== undefined) ptrace(PTRACE_DETACH, held, 0, 0);
    child.kill("SIGKILL");
    await until(() => child.exitCode !== null || child.signalCode !== null, 5000);
  }
}, 60_000);
