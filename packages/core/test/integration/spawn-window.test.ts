/**
 * A program started in a namespace dies with the worker that started it: util-linux's setpriv sets
 * PR_SET_PDEATHSIG, but only after its own exec, a moment after the spawn has returned. A worker ended in that
 * moment (a task's timeout or abort, close past its grace) left the program to set it with a parent that lives on
 * (the kernel hands a thread's children to another thread of its process): it ran its full length. Checking the
 * parent's pid after prctl, the usual cure, cannot see this: that pid is the process's, and stays the same. Here the
 * test holds the forked child (ptrace) at its prctl, has the task aborted (the pool ends the worker), lets the child
 * go once the worker is gone, and looks for what is left.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";
import {
  PTRACE_DETACH,
  PTRACE_EVENT_FORK,
  PTRACE_EVENT_VFORK,
  PTRACE_O_TRACEFORK,
  PTRACE_O_TRACESYSGOOD,
  PTRACE_O_TRACEVFORK,
  PTRACE_SEIZE,
  ptrace,
  runUntilEvent,
  SYS_PRCTL,
  stopAt,
  traced,
  WALL,
  waitpid,
  waitStop,
} from "./ptrace.js";

const prefix = uniquePrefix("sw");
const target = `${prefix}t`;
const SCRIPT = new URL("../fixtures/spawn-window.mjs", import.meta.url).pathname;
const PR_SET_PDEATHSIG = 1n;

beforeAll(() => ip("netns", "add", target));
afterAll(() => cleanup(prefix));

it("a worker ended before its program's setpriv set PR_SET_PDEATHSIG leaves that program running no longer", async () => {
  const child = spawn(process.execPath, [SCRIPT, target], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the fixture ended early");
    return value as string;
  };
  const held: number[] = [];
  try {
    const { tid } = JSON.parse(await next()) as { tid: number };
    traced("PTRACE_SEIZE", ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACESYSGOOD));
    held.push(tid);
    child.stdin.write("start\n");
    // The worker runs to its fork; the child, traced from its first instruction, to setpriv's prctl (its exec passed).
    const forked = runUntilEvent(tid, PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK);
    held.unshift(forked);
    traced("PTRACE_DETACH", ptrace(PTRACE_DETACH, tid, 0, 0));
    held.pop();
    waitStop(forked);
    stopAt(forked, (nr, args) => nr === BigInt(SYS_PRCTL) && args[0] === PR_SET_PDEATHSIG, "entry");
    child.stdin.write("abort\n");
    expect(await next()).toBe("gone");
    // Let go, or (killed meanwhile) collected as its tracer, so that its parent can collect it.
    if (ptrace(PTRACE_DETACH, forked, 0, 0) < 0) waitpid(forked, [0], WALL);
    held.shift();
    child.stdin.write("released\n");
    expect(JSON.parse(await next())).toEqual({ children: [] });
  } finally {
    for (const task of held) ptrace(PTRACE_DETACH, task, 0, 0);
    child.kill("SIGKILL");
  }
}, 60_000);
