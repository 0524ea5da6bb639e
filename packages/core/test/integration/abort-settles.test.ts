/**
 * A task aborted (or timed out) while it runs fails only once its worker thread has stopped, so that nothing of it
 * happens after the caller hears of the failure. The pool ends the worker with worker.terminate(), which V8 carries
 * out at the thread's next JavaScript function entry, after the system call under way: a create failed at the
 * abort went on to give its entry a name after the caller had looked for what it left (abort-create.test.ts, about
 * once in 8 runs). Here the test holds the worker thread (ptrace) as it is about to name the entry (linkat), has the
 * task aborted, and sees it still pending once the pool has ended the worker; let go, the name is given, and only
 * then does the task fail.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "./kernel.js";
import { PTRACE_DETACH, ptrace, seizeStopped, stopAt, traced } from "./ptrace.js";

const prefix = uniquePrefix("as");
const SCRIPT = new URL("../fixtures/abort-settles.mjs", import.meta.url).pathname;
const SYS_LINKAT = 265n;

afterAll(() => cleanup(prefix));

it("an aborted create fails once its thread has stopped: its entry, named after the abort, is there as it fails", async () => {
  const name = `${prefix}n`;
  const child = spawn(process.execPath, [SCRIPT, name], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the fixture ended early");
    return value as string;
  };
  let tid: number | undefined;
  try {
    tid = (JSON.parse(await next()) as { tid: number }).tid;
    seizeStopped(tid);
    child.stdin?.write("start\n");
    stopAt(tid, (nr) => nr === SYS_LINKAT, "entry");
    child.stdin?.write("abort\n");
    expect(await next(), "the task, once the pool has ended its worker, with the worker still held").toBe("pending");
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    tid = undefined;
    expect(JSON.parse(await next())).toEqual({ error: "AbortedError", entry: true });
  } finally {
    if (tid !== undefined) ptrace(PTRACE_DETACH, tid, 0, 0);
    child.kill("SIGKILL");
  }
}, 60_000);
