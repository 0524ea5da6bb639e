/**
 * A task aborted at the exact moment its worker has opened a descriptor and
 * not yet recorded it leaves nothing open. The pool ends a worker with
 * worker.terminate(), carried out by V8 at the thread's next JavaScript
 * function entry: one asked for while socket(2) or open(2) returned left
 * the descriptor open and unrecorded, for the process's life, keeping its
 * namespace alive (abort-create.test.ts failed so about once in 25 runs on
 * a loaded machine). The same holds for a program, forked and not yet
 * recorded: it stayed a zombie (long-running.test.ts, under load, where a
 * spawn took 1.7 s and the pool stopped waiting for it after 100 ms). Here
 * the test holds the worker thread still (ptrace) right as the system call
 * returns, has the task aborted, keeps holding it well past the time the
 * pool used to wait for the worker (or until the pool ends it), then lets
 * it go.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";
import {
  PTRACE_DETACH,
  ptrace,
  SYS_CLONE,
  SYS_CLOSE,
  SYS_OPENAT,
  SYS_SOCKET,
  seizeStopped,
  stopAt,
  stringAt,
  traced,
  type Wanted,
} from "./ptrace.js";

const prefix = uniquePrefix("ao");
const target = `${prefix}t`;
const SCRIPT = new URL("../fixtures/abort-at-open.mjs", import.meta.url).pathname;

const AF_NETLINK = 16;
/** clone(2) of a thread, not of a process. */
const CLONE_THREAD = 0x10000n;

/** The fixture's process and its output, line by line. */
function startScript(work: "links" | "exec"): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(process.execPath, [SCRIPT, target, work], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error("the fixture ended early");
      return value as string;
    },
  };
}

/**
 * Aborts the task (`work`) while its worker is held right after the system call `wanted` returned: what the ended
 * worker left (descriptors, programs), and what that call returned.
 */
async function abortAfter(
  wanted: (pid: number, ...call: Parameters<Wanted>) => boolean,
  work: "links" | "exec" = "links",
): Promise<{ sockets: number; nsFds: number; children: string[]; returned: number }> {
  const { child, next } = startScript(work);
  const pid = child.pid as number;
  let tid: number | undefined;
  try {
    tid = (JSON.parse(await next()) as { tid: number }).tid;
    seizeStopped(tid);
    child.stdin?.write("start\n");
    const returned = stopAt(tid, (...call) => wanted(pid, ...call));
    child.stdin?.write("abort\n");
    expect(await next()).toBe("aborted");
    // The pool ended the worker ("ending") or is still waiting for it ("held"): either way, let it go now.
    expect(["ending", "held"]).toContain(await next());
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    tid = undefined;
    return { ...(JSON.parse(await next()) as { sockets: number; nsFds: number; children: string[] }), returned };
  } finally {
    if (tid !== undefined) ptrace(PTRACE_DETACH, tid, 0, 0);
    child.kill("SIGKILL");
  }
}

beforeAll(() => ip("netns", "add", target));
afterAll(() => cleanup(prefix));

describe("a task aborted right after its worker opened a descriptor", () => {
  it("leaves no socket in the namespace: aborted as socket(2) returns", async () => {
    const left = await abortAfter((_pid, nr, args) => nr === BigInt(SYS_SOCKET) && args[0] === BigInt(AF_NETLINK));
    expect(left.returned).toBeGreaterThanOrEqual(0);
    expect(left).toMatchObject({ sockets: 0, nsFds: 0 });
  }, 60_000);

  it("leaves no descriptor of the namespace: aborted as the open of its entry returns", async () => {
    const entry = `/run/netns/${target}`;
    const left = await abortAfter((pid, nr, args) => nr === BigInt(SYS_OPENAT) && stringAt(pid, args[1] as bigint) === entry);
    expect(left.returned).toBeGreaterThanOrEqual(0);
    expect(left).toMatchObject({ sockets: 0, nsFds: 0 });
  }, 60_000);
});

/**
 * The return of the worker's first close(2) after its fork (a clone of a process, not of a thread) returned in the
 * parent: libuv's, of its end of the pipe that tells it whether the child's exec failed, once fork() has returned.
 * Not the clone's own, nor the next call whatever it is: glibc's fork holds locks across the clone (malloc's among
 * them) and lets them go after it, waking their waiters with futex(2) calls, so a thread held before it is done
 * stops every other thread of the process.
 */
function afterFork(): Parameters<typeof abortAfter>[0] {
  let forked = false;
  return (_pid, nr, args, returned) => {
    if (forked) return nr === BigInt(SYS_CLOSE);
    forked = nr === BigInt(SYS_CLONE) && ((args[0] as bigint) & CLONE_THREAD) === 0n && returned > 0;
    return false;
  };
}

describe("a task aborted right after its worker forked a program", () => {
  it("leaves no zombie: the program, ended, is collected", async () => {
    const left = await abortAfter(afterFork(), "exec");
    expect(left.children).toEqual([]);
  }, 60_000);
});
