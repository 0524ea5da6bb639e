/**
 * Whether the processes holding a lock are getting on with it. A wait for a
 * mount dir's lock (deleting.ts) must outlast any fixed bound while they do:
 * a lab's destroy holds the dir shared for its whole run of deletions, 8.8 s
 * for 500 nodes with a macvlan each (their links deleted first, ~17 ms each in
 * the kernel) at load 6 on 2 cores, and a 5 s bound failed whatever waited
 * behind it (a prune, another lab's clean-up of its leftovers). It must not
 * outlast a holder that will not let go: one stopped (Ctrl-Z, a debugger), or
 * one that uses no CPU at all for a whole period (stuck). Read from /proc, and
 * only once a wait has gone on for a period: the holders' pids from
 * /proc/locks, their CPU time and their threads' states.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { FileIdentity } from "../ffi/identity.js";
import { flockHolders, isPid } from "./flocked.js";

/** The holders of a flock as one look saw them, by pid: the CPU time each had used (clock ticks), whether it is stopped. */
export type HoldersSeen = Map<string, { cpu: number; stopped: boolean }>;

/** Why a wait gives up on the holders: which one (a pid, "" when none can be named), and what it is doing. */
export interface Stall {
  holder: string;
  why: string;
}

/** /proc/PID/stat's fields after the command's closing parenthesis (the command may hold spaces and parentheses). */
function statFields(path: string): string[] {
  const stat = readFileSync(path, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** A thread stopped by a signal (T) or by its tracer (t): it runs nothing, and so lets go of nothing, until resumed. */
const STOPPED = new Set(["T", "t"]);

/** This thread's id, from /proc/thread-self ("PID/task/TID"). */
const ownTid = () => readlinkSync("/proc/thread-self").split("/").pop();

/**
 * What process `pid`'s threads have used (utime + stime) and whether any of them is stopped; undefined if it cannot
 * be read. Of this very process (a worker of its own holding the lock), the waiting thread is left out: its own tries
 * would count as the holder getting on.
 */
function processSeen(pid: string): { cpu: number; stopped: boolean } | undefined {
  const waiting = pid === String(process.pid) ? ownTid() : undefined;
  let cpu = 0;
  let stopped = false;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined; // gone, or not ours to read
  }
  for (const tid of tids) {
    try {
      const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
      stopped ||= STOPPED.has(fields[0] as string);
      if (tid !== waiting) cpu += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended meanwhile
    }
  }
  return { cpu, stopped };
}

/** The processes holding a flock on `file` now (those that can be read). */
export function holdersOf(file: FileIdentity): HoldersSeen {
  const seen: HoldersSeen = new Map();
  for (const pid of new Set(flockHolders(file))) {
    const process = isPid(pid) ? processSeen(pid) : undefined;
    if (process) seen.set(pid, process);
  }
  return seen;
}

/**
 * Why to give up on the holders seen `now`, `before` being the look a period
 * of `periodMs` earlier (undefined at the first look); undefined while they
 * get on: one is new (the lock changed hands) or used CPU, or none is left
 * (let go as this looked). Giving up: one is stopped; none used any CPU;
 * none could be named twice running.
 */
export function stalled(before: HoldersSeen | undefined, now: HoldersSeen, periodMs: number): Stall | undefined {
  for (const [holder, { stopped }] of now) if (stopped) return { holder, why: "it is stopped (resume it with kill -CONT, or fg)" };
  if (before === undefined) return undefined;
  if (now.size === 0) return before.size === 0 ? { holder: "", why: "it cannot be named from /proc" } : undefined;
  for (const [holder, { cpu }] of now) if (cpu > (before.get(holder)?.cpu ?? -1)) return undefined;
  return { holder: now.keys().next().value as string, why: `it has used no CPU for ${periodMs} ms` };
}
