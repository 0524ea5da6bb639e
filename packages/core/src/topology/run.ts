/**
 * A node's long-running programs (`processes:` — a routing daemon, an iperf3
 * server): started inside the node's namespace in a session of their own, so
 * they outlive the apply that started them. Each runs in a cgroup of its own
 * (cgroup.ts), which is how neslink knows it and everything it started,
 * whatever it does to its environment and wherever its namespace went; its
 * output goes through a log relay (coreutils `split`, outside the lab's
 * namespaces) that keeps the log to two files of LOG_BYTES. It also carries
 * NESLINK_PROCESS=<topology>/<node>/<name>/<digest> in its environment, for
 * the program and its user to read.
 */
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statSync,
} from "node:fs";
import * as na from "../actions/ns-actions.js";
import { digestHex } from "../digest.js";
import { lastLine, NeslinkError } from "../errors.js";
import { readRegularFile } from "../files/regular.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { sleep } from "../sleep.js";
import { groupPids, labGroup, nodeGroup, nodesIn, pidsIn, programGroup, programsIn, RELAY_LEAF, subgroups } from "./cgroup.js";
import { JOIN_THEN_EXEC } from "./cgroup-join.js";
import type { Change } from "./changes.js";
import type { LiveNamespace } from "./live.js";
import { LOCK_DIR } from "./lock.js";
import type { Topology, TopologyProcess } from "./model.js";
import { endProcesses, NO_NAMESPACES, namespaceInode } from "./processes.js";

const ENV_MARK = "NESLINK_PROCESS";

/** A program's log is <name>.log, and <name>.log.1 before it: at most twice this many bytes. */
export const LOG_BYTES = 4 << 20;

export interface LabProcess {
  name: string;
  pid: number;
  /** Every process of its cgroup: the program and the children it started (stopping it stops them all). */
  pids: number[];
  /** Digest of the argv and environment it was started with: a changed file restarts it. */
  digest: string;
  /**
   * Where it is in its life (a `phase`, as a node's: `state` is ip's word
   * for a neighbour's NUD states): running; outside: not in its node's
   * namespace (the one it was started in was deleted or replaced); unlogged:
   * its log relay is gone while it still writes into the relay's pipe (its
   * output has nowhere to go). apply restarts it unless running.
   */
  phase: "running" | "outside" | "unlogged";
  argv: string[];
  /** Where its stdout and stderr go. */
  log: string;
}

/** Digest of what a process is started as. */
export function digestOf(p: TopologyProcess): string {
  return digestHex(JSON.stringify([p.argv, p.env]), 12);
}

export function logPath(topology: string, node: string, name: string): string {
  return `${LOCK_DIR}/${topology}/${node}/${name}.log`;
}

/**
 * A program's log, made empty before it starts: the relay makes one only with the program's first output, so one
 * that exits at once saying nothing had none, though its error names it, and a silent restarted one's was the run
 * before's. That run's log, if it wrote anything (or is no longer a file: a program may leave a FIFO in its place,
 * which is moved, not opened), becomes <name>.log.1, as the relay's rotation does.
 */
function freshLog(log: string): void {
  try {
    const was = lstatSync(log);
    if (!was.isFile() || was.size > 0) renameSync(log, `${log}.1`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = constants;
  closeSync(openSync(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0o644));
}

/**
 * Run inside the node by /bin/sh with: the program's cgroup directory, its
 * digest, its log, the cap, the namespace of neslink's process, then `env`
 * assignments and the command. The shell enters the relay's leaf, so
 * everything it forks starts there; the program's side moves itself to its
 * own leaf before it becomes the program (no instant unmarked). The relay
 * leaves the lab's namespace for the one neslink runs in (nsenter), so it
 * neither shows in nor holds the node, and rotates the log every LOG_BYTES:
 * `split` hands each chunk to a new filter, which moves the previous log
 * aside (not the empty one freshLog made for the first). Both halves are detached (setsid -f): the shell returns at once,
 * nobody's parent. The relay goes first: the program's side waits, on a FIFO
 * beside the log (`<log>.start`), for the word the relay sends once it is in
 * a session of its own, and only then starts the program. The shell runs in a
 * process group of its own whose guard kills it whole if neslink dies
 * (na.exec's `group`), and which a Ctrl-C at neslink's terminal does not
 * reach: an apply interrupted as a program starts leaves it running with its
 * relay, or not started (a relay left alone reads end-of-file and ends), never
 * running "unlogged" (its output nowhere). Should the relay not start, the
 * program's side reads end-of-file and starts nothing.
 * The shell goes on only in the cgroup made for it (the directory's inode,
 * checked once the shell is inside it): one whose apply was killed as it
 * forked it (before setpriv had tied it to its worker) can run late, after
 * the next apply has ended that cgroup and made the program's anew, and must
 * then start nothing; one that joined before is ended with the old cgroup.
 * It opens neslink's namespace at once, as fd 9, for the relay to enter:
 * the apply's /proc entry is gone once that apply has ended (or was killed),
 * and a relay still starting then would fail, leaving its program unlogged
 * after an apply that found it starting.
 */
const START = `echo $$ >"$0/${RELAY_LEAF}/cgroup.procs" || exit 1
group=$0 digest=$1 log=$2 cap=$3 host=$4 made=$5
[ "$(stat -c %i "$group")" = "$made" ] || exit 1
exec 9<"$host" || exit 1
shift 5
go=$log.start
rm -f "$go" && mkfifo -m 600 "$go" || exit 1
{ read -r _ <"$go" || exit 1; rm -f "$go"; exec sh -c '${JOIN_THEN_EXEC}' "$group/$digest" env "$@"; } 2>&1 </dev/null 9<&- |
  { setsid -f sh -c 'echo >"$0" && exec "$@"' "$go" env SHELL=/bin/sh LOG="$log" nsenter --wd=/ --net=/proc/self/fd/9 split -b "$cap" --filter='[ ! -s "$LOG" ] || mv -f "$LOG" "$LOG.1" 2>/dev/null; exec cat >"$LOG" 9<&-' >/dev/null 2>&1 || { : >"$go"; exit 1; }; }`;

/**
 * What runs a program in a session of its own: setsid's child shows this
 * command line until it has become the program. After "--", a program whose
 * name begins with "-" is the program, not one of setsid's options (-w
 * would make the start wait for it).
 */
const starter = (argv: readonly string[]) => ["setsid", "-f", "--", ...argv];

/**
 * The actions that start `starts` inside their node: each program's cgroup
 * made afresh (what a run cut short left there ended first), its log
 * directory made.
 */
export async function startActions(topology: string, starts: readonly { node: string; process: TopologyProcess }[]) {
  return Promise.all(
    starts.map(async ({ node, process: p }) => {
      const group = programGroup(topology, node, p.name);
      if (group === null)
        throw new NeslinkError(
          "ERR_PROCESS_NOT_RUNNING",
          `node ${node}: ${p.name} not started: no cgroup v2 hierarchy is mounted to mark it in`,
        );
      await endProcesses(NO_NAMESPACES, [group], 0);
      const digest = digestOf(p);
      try {
        mkdirSync(`${group}/${digest}`, { recursive: true });
        mkdirSync(`${group}/${RELAY_LEAF}`);
      } catch (err) {
        throw new NeslinkError(
          "ERR_PROCESS_NOT_RUNNING",
          `node ${node}: ${p.name} not started: cannot make its cgroup ${group} (${(err as NodeJS.ErrnoException).code}): cgroup v2 must be writable`,
          { cause: err },
        );
      }
      // As a bigint: a cgroup directory's inode carries a generation in its high bits.
      const made = statSync(group, { bigint: true }).ino;
      const log = logPath(topology, node, p.name);
      mkdirSync(log.slice(0, log.lastIndexOf("/")), { recursive: true, mode: 0o700 });
      freshLog(log);
      const env = Object.entries({ ...p.env, [ENV_MARK]: `${topology}/${node}/${p.name}/${digest}` }).map(([k, v]) => `${k}=${v}`);
      return na.exec(
        [
          "/bin/sh",
          "-c",
          START,
          group,
          digest,
          log,
          String(LOG_BYTES),
          `/proc/${process.pid}/ns/net`,
          String(made),
          ...env,
          ...starter(p.argv),
        ],
        // A group of its own: what it has not yet sent off in sessions of their own ends with it, and only with it.
        { group: true },
      );
    }),
  );
}

/** Stops a program and everything it started, wherever they are, and removes its cgroup (its node's too, once empty). */
export async function stopProgram(topology: string, node: string, name: string): Promise<void> {
  const group = programGroup(topology, node, name);
  if (group === null) return;
  await endProcesses(NO_NAMESPACES, [group]);
  try {
    rmdirSync(group.slice(0, group.lastIndexOf("/")));
  } catch {
    // Other programs of the node are still there.
  }
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}

/** Exited and not yet reaped (setsid -f's parent, for one): holds nothing, and shows no command line. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch {
    return true;
  }
}

function netnsInodeOf(pid: number): number | undefined {
  try {
    return Number(/^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
  } catch {
    return undefined;
  }
}

const DIGEST = /^[0-9a-f]{12}$/;

/** Whether a process writes its stdout or stderr into a pipe (the relay's, for a program of a lab). */
function writesToPipe(pid: number): boolean {
  return [1, 2].some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("pipe:");
    } catch {
      return false;
    }
  });
}

/** What a relay is until it has become split (see START). */
const RELAY_STARTING = new Set(["sh", "setsid", "env", "nsenter"]);

/**
 * A program's log relay: relaying (split runs), starting (still setsid, env
 * or nsenter), done (ended after the program closed its output, as a daemon
 * does: nothing to relay), or lost (gone while the program still writes
 * into its pipe: killed, or its apply killed before it left the node).
 */
function relayState(group: string, programPids: readonly number[]): "relaying" | "starting" | "done" | "lost" {
  const relay = pidsIn(`${group}/${RELAY_LEAF}`)
    .filter((pid) => !isZombie(pid))
    .map((pid) => argvOf(pid)[0]);
  if (relay.includes("split")) return "relaying";
  // A live process without a command line is in the middle of an exec (setsid's child becoming env, nsenter, split).
  if (relay.some((argv0) => argv0 === undefined || RELAY_STARTING.has(argv0))) return "starting";
  // Nothing of it, or only the last chunk's cat, which ends with it.
  return programPids.some(writesToPipe) ? "lost" : "done";
}

/**
 * A node's running programs, from its cgroups: each with the processes of
 * its digest's leaf (the lowest pid stands for it), and its phase; outside
 * means none of them is in the namespace `inode` (undefined: not checked).
 */
export function labProcesses(topology: string, node: string, inode: number | undefined): LabProcess[] {
  const found: LabProcess[] = [];
  const lab = labGroup(topology);
  if (lab === null) return found;
  for (const name of programsIn(nodeGroup(lab, node))) {
    const group = programGroup(topology, node, name) as string;
    for (const digest of subgroups(group).filter((d) => DIGEST.test(d))) {
      const pids = groupPids(`${group}/${digest}`).sort((a, b) => a - b);
      if (pids.length === 0) continue;
      const outside = inode !== undefined && !pids.some((pid) => netnsInodeOf(pid) === inode);
      found.push({
        name,
        pid: pids[0] as number,
        pids,
        digest,
        phase: outside ? "outside" : relayState(group, pids) === "lost" ? "unlogged" : "running",
        argv: argvOf(pids[0] as number),
        log: logPath(topology, node, name),
      });
    }
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const WHY = { gone: "never started, or exited at once", unlogged: "its log relay did not start", starting: "still starting" };

/** How much of a log's end is read for its last line: a program that ended at once wrote little, one that wrote much ends with it. */
const TAIL_BYTES = 4096;

/**
 * The last line a program that ended at once wrote ("setsid: failed to
 * execute sleeep: No such file or directory", a crash's own words), read
 * from its log once its relay has written everything and ended (until
 * `deadline`); "" when there is none.
 */
async function lastWords(topology: string, node: string, name: string, deadline: number): Promise<string> {
  const group = programGroup(topology, node, name);
  if (group !== null) while (pidsIn(`${group}/${RELAY_LEAF}`).some((pid) => !isZombie(pid)) && Date.now() < deadline) await sleep(10);
  let tail: Buffer;
  try {
    // Not followed: the program may have put a symlink in its log's place (and a FIFO, which is not read).
    tail = readRegularFile("log", logPath(topology, node, name), { maxBytes: TAIL_BYTES, tail: true, follow: false });
  } catch {
    return "";
  }
  return lastLine(tail.toString("utf8"));
}

/** Why a program is not running, for the error: its state, the last line it wrote when it ended at once, and its log. */
async function whyNot(topology: string, node: string, name: string, state: keyof typeof WHY, deadline: number): Promise<string> {
  const words = state === "gone" ? await lastWords(topology, node, name, deadline) : "";
  return `${name} (${WHY[state]}${words === "" ? "" : `: ${JSON.stringify(words)}`}; see ${logPath(topology, node, name)})`;
}

/** Programs of a node that did not get running; `programs` names them (the others run). */
export class NotRunningError extends NeslinkError {
  constructor(
    node: string,
    readonly programs: string[],
    why: string,
  ) {
    super("ERR_PROCESS_NOT_RUNNING", `node ${node}: not running: ${why}`);
  }
}

/** Where a program just started is: gone (its cgroup is empty), unlogged (its relay lost), starting (setsid not yet replaced, or its relay), or running. */
function startState(topology: string, node: string, p: TopologyProcess, running: readonly LabProcess[]): keyof typeof WHY | "running" {
  const program = running.find((r) => r.name === p.name);
  if (!program) return "gone";
  const relay = relayState(programGroup(topology, node, p.name) as string, program.pids);
  if (relay === "lost") return "unlogged";
  // Its whole command line, not its first word: a program may itself be setsid (`setsid -w daemon`), and is running then.
  // None at all: in the middle of an exec, or exiting (its memory let go before it leaves its cgroup: a program that
  // failed to start, seen at that instant under load, passed for running).
  const unexeced = program.argv.length === 0 || JSON.stringify(program.argv) === JSON.stringify(starter(p.argv));
  return unexeced || relay === "starting" ? "starting" : "running";
}

/** How long the programs found not running must stay the same before they are reported (their start is a moment). */
const SETTLE_MS = 100;

/**
 * Waits until the programs just started, and their log relays, have
 * replaced setsid with themselves (setsid -f returns before its child
 * execs); throws, naming them and their logs, for those gone already (a
 * missing program, one that exits at once: the start returned only once
 * both had their process) or still not there after `timeoutMs`.
 */
export async function started(topology: string, node: string, programs: readonly TopologyProcess[], timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  let since = 0;
  for (;;) {
    const running = labProcesses(topology, node, undefined);
    const late = programs.flatMap((p) => {
      const state = startState(topology, node, p, running);
      return state === "running" ? [] : [{ n: p.name, state }];
    });
    if (late.length === 0) return;
    // The same for SETTLE_MS: a program that exits at once, seen running an instant before, is told with the others.
    const now = JSON.stringify(late);
    if (now !== seen) [seen, since] = [now, Date.now()];
    const settled = Date.now() - since >= SETTLE_MS;
    // One gone already does not make the others late: each is told as it ends up (running, gone), "starting" only after the deadline.
    if ((settled && late.every((l) => l.state !== "starting")) || Date.now() > deadline) {
      // The relays of programs that ended get a moment of their own to write their last lines.
      const until = Date.now() + 1000;
      const why = (await Promise.all(late.map((l) => whyNot(topology, node, l.n, l.state, until)))).join(", ");
      throw new NotRunningError(
        node,
        late.map((l) => l.n),
        why,
      );
    }
    await sleep(10);
  }
}

/** Fills in the programs of each node (name, live namespace) of `topology`; a lab that never ran one costs one stat. */
export function findProcesses(topology: string, nodes: Iterable<readonly [string, LiveNamespace]>): void {
  const lab = labGroup(topology);
  if (lab === null || !existsSync(lab)) return;
  for (const [node, live] of nodes) {
    // A node without its namespace has nothing inside it (no namespace has inode 0).
    const inode = live.state === "owned" ? namespaceInode(`${DEFAULT_NETNS_DIR}/${live.netns}`) : undefined;
    live.processes = labProcesses(topology, node, inode ?? 0);
  }
}

/**
 * Programs still running for nodes the file no longer has (in a namespace
 * being removed as stale, or deleted by hand, then "" stands for it): to stop.
 */
export function leftoverProcesses(topology: Topology, stale: readonly { node: string; netns: string }[]): Change[] {
  const lab = labGroup(topology.name);
  if (lab === null || !existsSync(lab)) return [];
  const nodes = new Set(topology.nodes.map((n) => n.name));
  return nodesIn(lab)
    .filter((node) => !nodes.has(node))
    .flatMap((node) =>
      labProcesses(topology.name, node, undefined).map(
        (p): Change => ({
          op: "delete",
          object: "process",
          node,
          netns: stale.find((s) => s.node === node)?.netns ?? "",
          name: p.name,
          pids: p.pids,
        }),
      ),
    );
}
