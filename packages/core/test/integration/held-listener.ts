/**
 * A watch run in a process of its own, whose listener thread a test can hold
 * still. ptrace stops that one thread while the process's others run on: what
 * the kernel sends meanwhile waits in the listener's socket (or is dropped,
 * once its receive buffer is full: an overflow), and what the main thread
 * posts waits in its port. When the thread runs again, the test knows what it
 * finds and in which order, where leaving it to the scheduler would make the
 * case a race the listener mostly wins.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import type { WatchEvent } from "@neslink/core";
import koffi from "koffi";
import { until } from "./kernel.js";
import { PTRACE_DETACH, PTRACE_INTERRUPT, PTRACE_O_TRACESYSGOOD, PTRACE_SEIZE, ptrace, stopAt, WALL, waitpid } from "./ptrace.js";

/** x86_64's poll(2): the listener sleeps in poll() on two descriptors, its wake-up eventfd first. */
const SYS_POLL = 7;
/** x86_64's recvmsg(2): how the listener reads its event socket. */
const SYS_RECVMSG = 47n;
/** x86_64's epoll_wait(2), epoll_pwait(2), epoll_pwait2(2): where an idle event loop sleeps. */
const EPOLL_WAITS = [232, 281, 441];

const core = new URL("../../dist/index.js", import.meta.url).href;

export interface WatchProcess {
  child: ChildProcess;
  /** Every event so far, in order. */
  events: WatchEvent[];
  /** Holds the listener thread still until release(). */
  hold(): Promise<void>;
  /** Runs the held listener until a read of its event socket has returned a notification; holds it there. */
  readOne(): void;
  /**
   * Whether the process's main thread sleeps in its event loop: whatever the listener posted before it was held has
   * been handled (a post wakes the loop), and the script's reaction to it has run.
   */
  mainIdle(): boolean;
  release(): void;
  /** Whether the main thread has signalled the held listener (posted it something) since hold(). */
  signalled(): boolean;
  /** Kills the process (releasing its listener first if held). */
  end(): void;
}

/**
 * Starts `watch(targets, options)` in a child process (`targets`: the
 * namespaces at those paths, or a dir's), resolving once its `ready` has.
 * Every event it prints comes in `events`; `react`, code run with each
 * (`event`) after it is printed, is the script's own use of it.
 */
export async function watchProcess(
  targets: readonly string[] | { named: true; dir: string },
  options: object,
  react = "",
): Promise<WatchProcess> {
  const given = Array.isArray(targets)
    ? `[${targets.map((path) => `m.ns.path(${JSON.stringify(path)})`).join(", ")}]`
    : JSON.stringify(targets);
  const script = `
    import * as m from ${JSON.stringify(core)};
    const stream = m.watch(${given}, ${JSON.stringify(options)});
    await stream.ready;
    console.log("ready");
    for await (const event of stream) {
      console.log(JSON.stringify(event));
      ${react}
    }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const events: WatchEvent[] = [];
  let ready = false;
  let rest = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "ready") ready = true;
      else events.push(JSON.parse(line));
    }
  });
  let held: { tid: number; wakeFd: number; eventsFd: number } | undefined;
  const release = () => {
    if (held && ptrace(PTRACE_DETACH, held.tid, 0, 0) < 0) throw new Error(`PTRACE_DETACH: errno ${koffi.errno()}`);
    held = undefined;
  };
  const proc: WatchProcess = {
    child,
    events,
    async hold() {
      // Asleep in poll() but for the instants it handles something.
      let found: { tid: number; wakeFd: number; eventsFd: number } | undefined;
      await until(() => {
        found = listenerOf(child.pid as number);
        return found !== undefined;
      }, 10_000);
      if (!found) throw new Error("no listener thread found");
      const { tid } = found as { tid: number; wakeFd: number; eventsFd: number };
      // System call stops marked, for readOne().
      if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) < 0) throw new Error(`PTRACE_SEIZE: errno ${koffi.errno()}`);
      held = found;
      if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) throw new Error(`PTRACE_INTERRUPT: errno ${koffi.errno()}`);
      if (waitpid(tid, [0], WALL) < 0) throw new Error(`waitpid: errno ${koffi.errno()}`);
    },
    release,
    readOne() {
      if (!held) throw new Error("the listener is not held");
      const { eventsFd } = held;
      stopAt(held.tid, (nr, args, returned) => nr === SYS_RECVMSG && args[0] === BigInt(eventsFd) && returned > 0);
    },
    mainIdle() {
      const pid = child.pid as number;
      try {
        const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
        const call = Number(readFileSync(`/proc/${pid}/task/${pid}/syscall`, "utf8").split(" ")[0]);
        return stat.slice(stat.lastIndexOf(")") + 2)[0] === "S" && EPOLL_WAITS.includes(call);
      } catch {
        return false;
      }
    },
    signalled() {
      if (!held) throw new Error("the listener is not held");
      return eventfdCount(child.pid as number, held.wakeFd) > 0;
    },
    end() {
      try {
        release();
      } finally {
        child.kill("SIGKILL");
      }
    },
  };
  if (!(await until(() => ready || child.exitCode !== null, 20_000)) || !ready) {
    proc.end();
    throw new Error("the watch did not get ready");
  }
  return proc;
}

/** The listener thread of the watch in process `pid` (the one asleep in poll() on two descriptors), with its wake-up eventfd and event socket. */
function listenerOf(pid: number): { tid: number; wakeFd: number; eventsFd: number } | undefined {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let call: string[];
    try {
      call = readFileSync(`/proc/${pid}/task/${tid}/syscall`, "utf8").trim().split(" ");
    } catch {
      continue;
    }
    if (Number(call[0]) !== SYS_POLL || Number(call[2]) !== 2) continue;
    // Its pollfd array, in its memory: { int fd; short events; short revents } each, the eventfd first.
    const mem = openSync(`/proc/${pid}/mem`, "r");
    try {
      const pollfd = Buffer.alloc(12);
      readSync(mem, pollfd, 0, 12, BigInt(call[1] as string));
      return { tid: Number(tid), wakeFd: pollfd.readInt32LE(0), eventsFd: pollfd.readInt32LE(8) };
    } finally {
      closeSync(mem);
    }
  }
  return undefined;
}

function eventfdCount(pid: number, fd: number): number {
  const count = /^eventfd-count:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))?.[1];
  return Number.parseInt(count ?? "0", 16);
}
