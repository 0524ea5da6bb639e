/**
 * A node's long-running programs (`processes:` — a routing daemon, an iperf3
 * server): started inside the node's namespace in a session of their own, so
 * they outlive the apply that started them, with their output appended to a
 * log file. Each carries NESLINK_PROCESS=<topology>/<node>/<name>/<digest> in
 * its environment — the kernel's own record of which program it is and what
 * it was started as, read back from /proc, so no pid file can go stale.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import * as na from "../actions/ns-actions.js";
import { NeslinkError } from "../errors.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import type { LiveNamespace } from "./live.js";
import { LOCK_DIR } from "./lock.js";
import type { TopologyProcess } from "./model.js";
import { namespaceInode, pidsByNamespace } from "./processes.js";

const ENV_MARK = "NESLINK_PROCESS";

export interface LabProcess {
  name: string;
  pid: number;
  /** Every process carrying its mark: the program and the children it started (stopping it stops them all). */
  pids: number[];
  /** Digest of the argv and environment it was started with: a changed file restarts it. */
  digest: string;
  argv: string[];
  /** Where its stdout and stderr go. */
  log: string;
}

/** Digest of what a process is started as. */
export function digestOf(p: TopologyProcess): string {
  return createHash("sha256")
    .update(JSON.stringify([p.argv, p.env]))
    .digest("hex")
    .slice(0, 12);
}

export function logPath(topology: string, node: string, name: string): string {
  return `${LOCK_DIR}/${topology}/${node}/${name}.log`;
}

/** The action that starts `p` inside the node: detached (setsid -f), marked, its output appended to its log. */
export function startAction(topology: string, node: string, p: TopologyProcess) {
  const log = logPath(topology, node, p.name);
  mkdirSync(log.slice(0, log.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  const env = Object.entries({ ...p.env, [ENV_MARK]: `${topology}/${node}/${p.name}/${digestOf(p)}` }).map(([k, v]) => `${k}=${v}`);
  // sh only opens the log and stdin; env marks the process before setsid -f forks it into a session of its own, nobody's child here.
  return na.exec(["/bin/sh", "-c", 'exec env "$@" >>"$0" 2>&1 </dev/null', log, ...env, "setsid", "-f", ...p.argv]);
}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return [];
  }
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}

/**
 * The lab processes among `pids`, one per name: a program's own children
 * inherit its mark, and the first of them (lowest pid) stands for it.
 */
export function labProcesses(pids: readonly number[]): LabProcess[] {
  const found: LabProcess[] = [];
  for (const pid of [...pids].sort((a, b) => a - b)) {
    const mark = environOf(pid).find((e) => e.startsWith(`${ENV_MARK}=`));
    if (!mark) continue;
    const [topology, node, name, digest] = mark.slice(ENV_MARK.length + 1).split("/");
    if (!topology || !node || !name || !digest) continue;
    const known = found.find((p) => p.name === name);
    if (known) known.pids.push(pid);
    else found.push({ name, pid, pids: [pid], digest, argv: argvOf(pid), log: logPath(topology, node, name) });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Waits until the programs just started in the namespace `inode` have
 * replaced setsid with themselves (setsid -f returns before its child execs);
 * throws, naming them and their logs, for those that never showed up or are
 * gone already (a missing program, one that exits at once).
 */
export async function started(topology: string, node: string, inode: number, names: readonly string[], timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = labProcesses(pidsByNamespace(new Set([inode])).get(inode) ?? []);
    const missing = names.filter((n) => !running.some((p) => p.name === n && p.argv[0] !== "setsid"));
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      const logs = missing.map((n) => `${n} (see ${logPath(topology, node, n)})`).join(", ");
      throw new NeslinkError("ERR_PROCESS_NOT_RUNNING", `node ${node}: not running after ${timeoutMs} ms: ${logs}`);
    }
    await sleep(10);
  }
}

/** Fills in each owned namespace's lab processes, from one pass over /proc. */
export function findProcesses(lives: Iterable<LiveNamespace>): void {
  const inodes = new Map<number, LiveNamespace>();
  for (const live of lives) {
    const inode = live.state === "owned" ? namespaceInode(`${DEFAULT_NETNS_DIR}/${live.netns}`) : undefined;
    if (inode !== undefined) inodes.set(inode, live);
  }
  for (const [inode, pids] of pidsByNamespace(new Set(inodes.keys()))) (inodes.get(inode) as LiveNamespace).processes = labProcesses(pids);
}
