/**
 * Processes running inside a lab's namespaces, found from /proc (the kernel's
 * own record, no pid file to lose), and in its programs' cgroups: a
 * namespace with a live process is never destroyed by the kernel, and its
 * veths stay, so destroy ends them first.
 */
import { readdirSync, readlinkSync, statSync } from "node:fs";
import * as libc from "../ffi/libc.js";
import { sleep } from "../sleep.js";
import { groupPidsByDir, killGroup, populated, removeGroup } from "./cgroup.js";

/**
 * Network namespaces: by nsfs inode, each with its NS_GET_ID when known (an
 * inode alone names a namespace only while something holds it, a mount or a
 * process: once freed, the kernel gives its inode to the next namespace made,
 * anyone's), and by id alone (`ids`: namespaces no name leads to any more,
 * held only by processes inside). An id is never reused in a boot.
 */
export interface Namespaces {
  inodes: ReadonlyMap<number, string | undefined>;
  ids?: ReadonlySet<string>;
}

/** No namespace: only cgroups to end. */
export const NO_NAMESPACES: Namespaces = { inodes: new Map() };

/** The namespace inode a named namespace's file refers to (a bind mount of nsfs). */
export function namespaceInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** The id of process `pid`'s network namespace; undefined when it cannot be read (gone, no NS_GET_ID): not shown to be ours. */
function namespaceIdOf(pid: number): string | undefined {
  let fd: number;
  try {
    fd = libc.openUntracked(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
  try {
    return libc.nsId(fd);
  } catch {
    return undefined;
  } finally {
    libc.close(fd);
  }
}

/** Processes inside namespaces: their pids, and how many are in each namespace found by its id alone. */
interface Inside {
  pids: number[];
  /** NS_GET_ID (of `Namespaces.ids`) -> how many of `pids` are in it. */
  byId: Map<string, number>;
  /** Those of the pids asked about (`among`) that were in none of the namespaces (those gone before the look left out). */
  outside: Set<number>;
}

/**
 * The processes whose network namespace is one of `namespaces` (this process excluded), and which of `among` are in
 * none of them; one pass over /proc (none without namespaces: all of `among` are outside them).
 */
function processesIn({ inodes, ids }: Namespaces, among: ReadonlySet<number> = new Set()): Inside {
  const found: number[] = [];
  const counted = new Map<string, number>();
  if (inodes.size === 0 && !ids?.size) return { pids: found, byId: counted, outside: new Set(among) };
  const outside = new Set<number>();
  /** The id, of `ids`, of the namespace of each other inode met (null: none of them): read once a pass, from its first process. */
  const byId = new Map<number, string | null>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    let inode: number;
    try {
      inode = Number(/^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/ns/net`))?.[1]);
    } catch {
      // Exited meanwhile, or a kernel thread without a namespace link.
      continue;
    }
    if (inodes.has(inode)) {
      // The inode of a namespace freed since (its last process ended) may be a stranger's now: its id tells.
      const id = inodes.get(inode);
      if (id === undefined || namespaceIdOf(pid) === id) found.push(pid);
      else if (among.has(pid)) outside.add(pid);
      continue;
    }
    let ours = ids?.size ? byId.get(inode) : null;
    if (ours === undefined) {
      const id = namespaceIdOf(pid);
      ours = id !== undefined && ids?.has(id) ? id : null;
      // Unread (the process ended meanwhile): asked again of the next process in it.
      if (id !== undefined) byId.set(inode, ours);
    }
    if (ours) {
      found.push(pid);
      counted.set(ours, (counted.get(ours) ?? 0) + 1);
    } else if (among.has(pid)) outside.add(pid);
  }
  return { pids: found, byId: counted, outside };
}

/** What endProcesses ended. */
export interface Ended {
  /** Every pid signalled. */
  pids: number[];
  /** How many of them were in each namespace of `Namespaces.ids`. */
  byId: Map<string, number>;
  /** Those found in the groups that were in none of the namespaces: how many, by the cgroup directory each was in. */
  outside: Map<string, number>;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Ends every process inside `namespaces` and in the cgroup trees `groups`
 * (a lab's programs, wherever their namespace went, and their log relays):
 * SIGTERM to the programs, then SIGKILL (cgroup.kill for the groups) to
 * whatever is still there after `graceMs` (a relay ends by itself once its
 * program is gone: it drains the last lines first); resolves once none is
 * left, with the groups removed. Returns the pids it signalled, how many of
 * them were in each namespace of `namespaces.ids`, and those of the groups
 * in none of `namespaces`, by cgroup directory.
 */
export async function endProcesses(namespaces: Namespaces, groups: readonly string[] = [], graceMs = 2000): Promise<Ended> {
  // Whether a group is empty is one read of its cgroup.events, not a walk of its tree.
  const left = () => ({ pids: processesIn(namespaces).pids, groups: groups.filter(populated) });
  // Read before the pass over /proc: a process found in a group is then placed by the namespace it has at that pass
  // (one started meanwhile, in a namespace of `namespaces`, is found by the pass alone).
  const byDir = new Map<string, number[]>();
  for (const g of groups) groupPidsByDir(g, true, byDir);
  const grouped = [...byDir.values()].flat();
  const inside = processesIn(namespaces, new Set(grouped));
  const found = [...new Set([...inside.pids, ...grouped])];
  let now = found.length > 0 || groups.some(populated) ? left() : { pids: [], groups: [] };
  signal(found, "SIGTERM");
  // Relays whose program is gone already are all there is to end: no grace for them.
  const deadline = Date.now() + (found.length > 0 ? graceMs : 0);
  while ((now.pids.length > 0 || now.groups.length > 0) && Date.now() < deadline) {
    await sleep(20);
    now = left();
  }
  for (let tries = 0; (now.pids.length > 0 || now.groups.length > 0) && tries < 250; tries++) {
    for (const g of now.groups) killGroup(g);
    signal(now.pids, "SIGKILL");
    await sleep(20);
    now = left();
  }
  for (const g of groups) await removeEmptied(g);
  const outside = new Map<string, number>();
  for (const [dir, pids] of byDir) {
    const n = pids.filter((pid) => inside.outside.has(pid)).length;
    if (n > 0) outside.set(dir, n);
  }
  return { pids: found, byId: inside.byId, outside };
}

/**
 * Removes an emptied group; one that a process joined since (EBUSY: the
 * start of an apply killed as it forked it, run late, see run.ts) is ended
 * again first.
 */
async function removeEmptied(group: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      removeGroup(group);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EBUSY" || tries >= 50) throw err;
      killGroup(group);
      await sleep(20);
    }
  }
}
