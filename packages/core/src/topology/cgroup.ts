/**
 * The cgroup v2 tree that marks a lab's programs:
 * <cgroup2 mount>/neslink/<lab>/node-<node>/program-<name>/<digest> holds a
 * program and every process it starts, program-<name>/log its log relay,
 * node-<node>/exec the node's exec commands and what they start (each
 * entry in a leaf of its own, exec/entry-<digest>-<n>),
 * (the prefixes keep a name such as "cpu.stat" off the kernel's own files,
 * which all are <controller>.<file>). Unlike an environment variable,
 * cgroup membership is inherited by every child and cannot be dropped
 * without privileges, and the tree is found from the lab's name alone, even
 * once the node's namespace is gone.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { digestHex } from "../digest.js";
import { parseMountinfo } from "../mountinfo.js";

/** The cgroup v2 mount point in a /proc/PID/mountinfo text, or null. */
export function cgroup2MountIn(mountinfo: string): string | null {
  return parseMountinfo(mountinfo).find((m) => m.fstype === "cgroup2")?.at ?? null;
}

let mount: string | null = null;

/** Where this process sees cgroup v2 (kept once found: it is not unmounted under a running lab; looked for again while absent). */
function cgroup2Mount(): string | null {
  mount ??= cgroup2MountIn(readFileSync("/proc/self/mountinfo", "utf8"));
  return mount;
}

/** The directory of a lab's programs, or null when there is no cgroup v2 to put them in. */
export function labGroup(topology: string): string | null {
  const root = cgroup2Mount();
  return root === null ? null : `${root}/neslink/${topology}`;
}

const NODE = "node-";
const PROGRAM = "program-";

/** The directory of a node's programs in the lab's directory `lab`. */
export const nodeGroup = (lab: string, node: string) => `${lab}/${NODE}${node}`;

/** The directory of one program of a node (its digest leaf and its log relay's leaf below), or null without cgroup v2. */
export function programGroup(topology: string, node: string, name: string): string | null {
  const lab = labGroup(topology);
  return lab === null ? null : `${nodeGroup(lab, node)}/${PROGRAM}${name}`;
}

/** The directory of a node's exec commands (see node-commands.ts), or null without cgroup v2. */
export function commandsGroup(topology: string, node: string): string | null {
  const lab = labGroup(topology);
  return lab === null ? null : `${nodeGroup(lab, node)}/exec`;
}

/**
 * The leaf, in the node's exec directory `group`, of one `exec` entry (its argv, and `n`, how many equal entries ran
 * before it): each entry is recorded as run once it ends, so what a killed apply left of the one it was running is
 * ended alone, without what the entries that ran before it started.
 */
export function entryGroup(group: string, argv: readonly string[], n: number): string {
  return `${group}/entry-${entryDigest(argv)}-${n}`;
}

/**
 * The leaf where a neslink from before entryGroup ran the same entry when it was added to a node whose commands had
 * run (`n` counted alike): one killed while it ran left what the entry started there, not in its entryGroup.
 */
export function addedEntryGroup(group: string, argv: readonly string[], n: number): string {
  return `${group}/added-${entryDigest(argv)}-${n}`;
}

const entryDigest = (argv: readonly string[]) => digestHex(JSON.stringify(argv), 12);

const named = (dir: string, prefix: string) => subgroups(dir).flatMap((g) => (g.startsWith(prefix) ? [g.slice(prefix.length)] : []));

/** The nodes with a directory in the lab's directory `lab`. */
export const nodesIn = (lab: string) => named(lab, NODE);

/** The programs with a directory in a node's directory. */
export const programsIn = (node: string) => named(node, PROGRAM);

/** The leaf that holds a log relay (any other leaf holds a program). */
export const RELAY_LEAF = "log";

/** The names of the subgroups of `dir`. */
export function subgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The pids of the processes in `dir` itself (not below). */
export function pidsIn(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every pid in the tree at `dir`; with `programsOnly`, log relays left out. */
export function groupPids(dir: string, programsOnly = false): number[] {
  return [...groupPidsByDir(dir, programsOnly).values()].flat();
}

/** The pids of the tree at `dir`, by the directory of the tree each is in (those with none left out); relays as groupPids. */
export function groupPidsByDir(dir: string, programsOnly = false, into = new Map<string, number[]>()): Map<string, number[]> {
  const pids = pidsIn(dir);
  if (pids.length > 0) into.set(dir, pids);
  // Below the lab, only a relay's leaf is named "log" (nodes and programs have their prefix).
  for (const g of subgroups(dir)) if (!(programsOnly && g === RELAY_LEAF)) groupPidsByDir(`${dir}/${g}`, programsOnly, into);
  return into;
}

/**
 * Whose the directory `dir` of the lab's directory `lab` is: a node's program's, or (program null) the node's other
 * processes' (what its exec commands started); undefined for the lab's own directory or one not in it.
 */
export function ownerOf(lab: string, dir: string): { node: string; program: string | null } | undefined {
  if (!dir.startsWith(`${lab}/`)) return undefined;
  const [node, program] = dir.slice(lab.length + 1).split("/");
  if (!node?.startsWith(NODE)) return undefined;
  return { node: node.slice(NODE.length), program: program?.startsWith(PROGRAM) ? program.slice(PROGRAM.length) : null };
}

/** Whether any process is in the tree at `dir` (cgroup.events, kept by the kernel for the whole tree). */
export function populated(dir: string): boolean {
  try {
    return readFileSync(`${dir}/cgroup.events`, "utf8").includes("populated 1");
  } catch {
    return false;
  }
}

/** SIGKILL to every process in the tree at once (cgroup.kill, Linux 5.14), or to each pid on older kernels. */
export function killGroup(dir: string): void {
  if (existsSync(`${dir}/cgroup.kill`)) {
    try {
      writeFileSync(`${dir}/cgroup.kill`, "1");
    } catch {
      // Gone meanwhile: nothing to kill.
    }
    return;
  }
  for (const pid of groupPids(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Removes the (emptied) tree at `dir`, deepest first; what is gone already is skipped. */
export function removeGroup(dir: string): void {
  for (const g of subgroups(dir)) removeGroup(`${dir}/${g}`);
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
