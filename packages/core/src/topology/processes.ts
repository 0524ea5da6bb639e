/**
 * Processes running inside a lab's namespaces, found from /proc (the kernel's
 * own record, no pid file to lose), and in its programs' cgroups: a
 * namespace with a live process is never destroyed by the kernel, and its
 * veths stay, so destroy ends them first.
 */
import { readdirSync, readlinkSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { groupPids, killGroup, removeGroup } from "./cgroup.js";

/** The namespace inode a named namespace's file refers to (a bind mount of nsfs). */
export function namespaceInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** The processes whose network namespace is one of `inodes` (this process excluded), by namespace inode; one pass over /proc. */
function pidsByNamespace(inodes: ReadonlySet<number>): Map<number, number[]> {
  const found = new Map<number, number[]>();
  if (inodes.size === 0) return found;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/ns/net`));
      const inode = Number(m?.[1]);
      if (!inodes.has(inode)) continue;
      const pids = found.get(inode);
      if (pids) pids.push(Number(entry));
      else found.set(inode, [Number(entry)]);
    } catch {
      // Exited meanwhile, or a kernel thread without a namespace link.
    }
  }
  return found;
}

/** Pids of the processes whose network namespace is one of `inodes` (this process excluded). */
function processesIn(inodes: ReadonlySet<number>): number[] {
  return [...pidsByNamespace(inodes).values()].flat();
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
 * Ends every process inside the namespaces and in the cgroup trees `groups`
 * (a lab's programs, wherever their namespace went, and their log relays):
 * SIGTERM to the programs, then SIGKILL for whatever is still there after
 * `graceMs` (a relay ends by itself once its program is gone: it drains
 * the last lines first); resolves once none is left, with the groups
 * removed. Returns the pids it signalled.
 */
export async function endProcesses(inodes: ReadonlySet<number>, groups: readonly string[] = [], graceMs = 2000): Promise<number[]> {
  const inGroups = (programsOnly: boolean) => groups.flatMap((g) => groupPids(g, programsOnly));
  const programs = [...new Set([...processesIn(inodes), ...inGroups(true)])];
  // Relays whose program is gone already are all there is to end.
  const found = programs.length > 0 ? programs : inGroups(false);
  await stopPids(
    found,
    () => [...new Set([...processesIn(inodes), ...inGroups(false)])],
    graceMs,
    () => {
      for (const g of groups) killGroup(g);
    },
  );
  for (const g of groups) removeGroup(g);
  return found;
}

/** SIGTERM, then SIGKILL (and `kill()`) after `graceMs`, until `alive()` (the pids still there) is empty. */
async function stopPids(found: readonly number[], alive: () => number[], graceMs = 2000, kill = () => {}): Promise<number[]> {
  if (found.length === 0) return [...found];
  signal(found, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let left = alive();
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20);
    left = alive();
  }
  for (let tries = 0; left.length > 0 && tries < 250; tries++) {
    kill();
    signal(left, "SIGKILL");
    await sleep(20);
    left = alive();
  }
  return [...found];
}
