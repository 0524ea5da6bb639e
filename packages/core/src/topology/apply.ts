/**
 * topology.apply: plans, then carries the changes out in phases, each one's
 * work for different namespaces in parallel on the pool and each
 * namespace's work in one task (its requests pipelined):
 *
 *   1. namespaces: create (marked, loopback up, sysctls such as disable_ipv6
 *      written before any link exists; an interface's own, once it does)
 *   2. teardown: links and namespaces the file no longer has
 *   3. links: bridges, then veth pairs (each made from one end, the other end
 *      directly in its namespace)
 *   4. configuration: link settings (new veths' far ends brought up first),
 *      addresses, routes, sysctls
 *   5. exec: the record of which commands ran brought up to date (entries
 *      gone from the file forgotten), then the nodes' commands the record
 *      does not list (all of a node made by this apply), each recorded as it
 *      succeeds
 *   6. processes: long-running programs stopped (gone from the file, or
 *      changed) and started (not running)
 *
 * Progress is reported as typed events. A failure ends the run after its
 * phase (nothing of a later phase starts), with an error that lists what
 * failed and what was done; applying again converges from wherever it stopped.
 */
import { isDeepStrictEqual } from "node:util";
import * as la from "../actions/link-actions.js";
import { commandLine } from "../actions/nescript.js";
import type { NsAction } from "../actions/ns-actions.js";
import * as na from "../actions/ns-actions.js";
import * as ra from "../actions/route-actions.js";
import { AbortedError, ActionError, type ErrorJSON, isUndeletable, lastLine, NeslinkError, rootCause, toErrorJSON } from "../errors.js";
import * as lp from "../links/providers.js";
import type { NsHandle } from "../namespace/handle.js";
import { removeLeftovers } from "../namespace/leftovers.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool, nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { whenAborted } from "../pool/when-aborted.js";
import { tableId } from "../shapes/iproute-names.js";
import { isNamespaceName } from "../validate/validate.js";
import { placeOf } from "./change-place.js";
import { type Change, type ChangeOf, createsLink, describeChange, type LinkCreate, type Summary, summarize } from "./changes.js";
import { checkTopology } from "./check.js";
import { routeToMake } from "./compare.js";
import { forgetRemade, recordedBefore } from "./exec-plan.js";
import { type ExecRecord, recordPath, writeRecord } from "./exec-record.js";
import { groupBy } from "./group-by.js";
import { assertNoHostClashes } from "./host-clash.js";
import { HOST, idOfHandle, type LiveNamespace } from "./live.js";
import { loadedFrom } from "./loaded.js";
import { lockTopologyReading } from "./lock.js";
import { marker } from "./marker.js";
import type { Topology } from "./model.js";
import { runNodeCommands } from "./node-commands.js";
import { type NsRecord, type RecordedNs, readNsRecord, writeNsRecord } from "./ns-record.js";
import { topologyOptions } from "./options.js";
import { assertParentMtus } from "./parent-mtu.js";
import { assertHostParents, diff, type Plan, readLive, TopologyConflictError } from "./plan.js";
import { assertPlanUnchanged, expectedChanges } from "./plan-changed.js";
import { NotRunningError, startActions, started, stopProgram } from "./run.js";
import { sysctlInterface } from "./sysctl-names.js";
import { assertSysctlsTaken } from "./sysctl-probe.js";
import { HOST_BOUND_GROUP, isGone, LAB_GROUP, type LinkLeft, removeNamespaces } from "./teardown.js";

export type ApplyPhase = "namespaces" | "teardown" | "links" | "configuration" | "exec" | "processes";
const PHASES: readonly ApplyPhase[] = ["namespaces", "teardown", "links", "configuration", "exec", "processes"];

export type ApplyEvent =
  | { type: "planned"; plan: Plan }
  | { type: "phase"; phase: ApplyPhase; changes: number }
  | { type: "change"; change: Change; text: string; done: number; total: number }
  /** `places`: where in the file each of `changes` was asked for (FILE:LINE:COLUMN), as the error says it; undefined where not known. */
  | { type: "failed"; changes: Change[]; places: (string | undefined)[]; notAttempted: Change[]; error: ErrorJSON }
  | { type: "finished"; summary: Summary; ms: number };

export interface ApplyOptions {
  pool?: Pool;
  /**
   * Called with each progress event, in order. What it throws stops the
   * apply as it is: at once before the first change, else once the changes
   * in flight have ended (with a TopologyApplyError if one of them failed).
   */
  onProgress?: (event: ApplyEvent) => void;
  /**
   * Aborted before apply starts its first change (while it reads the kernel,
   * or in an onProgress of its `planned` event), apply makes none and rejects
   * with an AbortedError. Aborted once changes have begun, apply lets the
   * changes in flight end (a namespace being made is mounted, never left an
   * empty entry) and starts no more: it rejects with a TopologyAbortedError
   * (ERR_ABORTED too) saying what was `done`. Heard only after its last
   * change has begun, the apply ends whole (its result stands).
   */
  signal?: AbortSignal;
  /**
   * The plan its caller showed for confirmation (plan()'s result): apply
   * carries out the plan it makes once it holds the lab's lock, and when that
   * one is not this (the kernel changed meanwhile), it makes no change and
   * rejects with a TopologyPlanChangedError, naming what differs.
   */
  expected?: Plan;
}

export interface ExecOutcome {
  node: string;
  argv: string[];
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ApplyResult {
  topology: string;
  /** What was done, in order. */
  changes: Change[];
  summary: Summary;
  /** The nodes' exec commands and what they did. */
  exec: ExecOutcome[];
  /**
   * Links of the nodes it removed that the kernel refused to delete (EOPNOTSUPP: a device with no rtnetlink delete,
   * such as a physical NIC or VF moved into a node by hand), left to go with their namespace, as destroy's
   * `linksLeft`: the kernel moves such a device back to the host's namespace as it destroys the node's.
   */
  linksLeft: LinkLeft[];
  /**
   * Links made by hand in nodes that stay, which the file does not have and the kernel refused to delete (as above):
   * left where they are, and not among `changes`. Each apply tries again and says so, until the link is moved out of
   * its node (`ip -n NETNS link set dev LINK netns 1`) or the node is removed. One in the place of a link of the file
   * fails the apply instead (ERR_LINK_UNDELETABLE): it would be in the way of the link to make.
   */
  linksKept: LinkLeft[];
  ms: number;
}

/** What the kernel refused to delete, as an apply finds it: see ApplyResult. */
interface LinksRefused {
  left: LinkLeft[];
  kept: LinkLeft[];
}

/** One line for each of `refused`, as an error's message tells them. */
function refusedLines({ left, kept }: LinksRefused): string[] {
  const said = (l: LinkLeft, fate: string) =>
    `  link ${l.dev} of node ${l.node}: the kernel refused to delete it (EOPNOTSUPP), ${fate} namespace ${l.netns}`;
  return [...left.map((l) => said(l, "left to go with its removed")), ...kept.map((l) => said(l, "left in its"))];
}

/**
 * A task's failure: the changes `error` refused, and those of the same task it stopped before they were tried (a
 * node's routes after a refused one): not made, as if never asked for.
 */
export interface ApplyFailure {
  changes: Change[];
  notAttempted: Change[];
  error: unknown;
  /** Its change in flight, an exec command, was ended by a signal (see Outcome). */
  bySignal?: boolean;
}

/**
 * One failure as its error's message tells it: the refused changes, each with the place in the file that asked for it
 * (`placeOf`, when known), and why; then the line of those not attempted.
 */
function failureLines(f: ApplyFailure, placeOf: (c: Change) => string | undefined): string[] {
  const said = (changes: readonly Change[]) => changes.map(describeChange).join("; ");
  const placed = (c: Change) => {
    const place = placeOf(c);
    return place === undefined ? describeChange(c) : `${describeChange(c)} (${place})`;
  };
  const untried = f.notAttempted.length > 0 ? [`    not attempted (stopped by that failure): ${said(f.notAttempted)}`] : [];
  // A failure of no change (the exec record's write) is its error alone.
  const refused = f.changes.length > 0 ? `${f.changes.map(placed).join("; ")}: ` : "";
  return [`  ${refused}${toErrorJSON(f.error).message}`, ...untried];
}

/**
 * The counts of an apply that stopped at failures, as its message heads them: planned = made + failed + not attempted
 * (those its failed tasks stopped before, with those of tasks it never started).
 */
function stoppedCounts(done: readonly Change[], failures: readonly ApplyFailure[], notStarted: readonly Change[]): string {
  const made = `${done.length} change${done.length === 1 ? "" : "s"} made`;
  const failed = failures.reduce((n, f) => n + f.changes.length, 0);
  const untried = failures.reduce((n, f) => n + f.notAttempted.length, notStarted.length);
  return `${made}; ${failed} failed, ${untried} not attempted`;
}

/**
 * What a stopped apply leaves the lab as, the same in TopologyApplyError and TopologyAbortedError: what was made, what
 * never was tried (described), what the exec commands did, and the links left or kept by what it removed.
 */
interface LeftAs {
  done: Change[];
  notAttempted: string[];
  exec: ExecOutcome[];
  linksLeft: LinkLeft[];
  linksKept: LinkLeft[];
}

const leftAs = (done: Change[], exec: ExecOutcome[], notStarted: readonly Change[], refused: LinksRefused): LeftAs => ({
  done,
  notAttempted: notStarted.map(describeChange),
  exec,
  linksLeft: refused.left,
  linksKept: refused.kept,
});

const leftAsOf = ({ done, notAttempted, exec, linksLeft, linksKept }: LeftAs): LeftAs => ({
  done,
  notAttempted,
  exec,
  linksLeft,
  linksKept,
});

/**
 * Some changes failed; `done` were made. Applying again goes on from there.
 * Each of `failures` names the changes refused (`changes`) with the error, and those its task never tried because it
 * stopped there (`notAttempted`). `notAttempted` names the changes of the tasks apply never started because it stopped
 * (later waves and phases: a node's exec commands and programs after its refused route): each planned change is in
 * exactly one of `done`, a failure's `changes` or `notAttempted`, or the error's own `notAttempted`.
 * `exec` holds what the commands that ran did: each that succeeded is
 * recorded as run and never runs again, so its output is told now or never (one whose record could not be written is
 * done all the same, and a failure of no change, the record's, says so: the next apply runs it again).
 */
export class TopologyApplyError extends NeslinkError {
  readonly failures: { changes: string[]; notAttempted: string[]; error: ErrorJSON }[];
  /** Described, as a failure's `notAttempted`: those of the tasks never started. */
  readonly notAttempted!: string[];
  readonly done!: Change[];
  readonly exec!: ExecOutcome[];
  /** As ApplyResult's, for what was done before the failure: a NIC sent back to the host is never left unsaid. */
  readonly linksLeft!: LinkLeft[];
  readonly linksKept!: LinkLeft[];
  constructor(
    topology: string,
    failures: readonly ApplyFailure[],
    done: Change[],
    exec: ExecOutcome[] = [],
    refused: LinksRefused = { left: [], kept: [] },
    /** Where in the file each change was asked for (FILE:LINE:COLUMN), when known: said with a failed one. */
    placeOf: (c: Change) => string | undefined = () => undefined,
    /** The changes of the tasks never started once apply stopped at `failures`. */
    notStarted: readonly Change[] = [],
  ) {
    const lines = failures.flatMap((f) => failureLines(f, placeOf));
    const skipped =
      notStarted.length > 0 ? [`  not attempted (apply stopped before them): ${notStarted.map(describeChange).join("; ")}`] : [];
    super(
      "ERR_TOPOLOGY_APPLY",
      `applying ${topology} failed (${stoppedCounts(done, failures, notStarted)}; apply again to continue):\n${[...lines, ...skipped, ...refusedLines(refused)].join("\n")}`,
    );
    this.failures = failures.map((f) => ({
      changes: f.changes.map(describeChange),
      notAttempted: f.notAttempted.map(describeChange),
      error: toErrorJSON(f.error),
    }));
    Object.assign(this, leftAs(done, exec, notStarted, refused));
  }
  override toJSON() {
    return { ...super.toJSON(), failures: this.failures, ...leftAsOf(this) };
  }
}

/**
 * An apply stopped by its caller's signal once it had begun changing the lab: the changes in flight ended, no more
 * were started. `done`, `notAttempted`, `exec`, `linksLeft` and `linksKept` as TopologyApplyError's: what a caller
 * needs to know what the lab is left as, every planned change among them (done, interrupted, not attempted, or a link
 * left as it was). `interrupted`: the exec commands in flight that a signal ended, the one that interrupted the caller
 * as a rule (a terminal's Ctrl-C reaches its whole process group, and with it the commands): not run to their end, they
 * are not recorded as run, and the next apply runs them again.
 */
export class TopologyAbortedError extends AbortedError {
  readonly done!: Change[];
  /** The changes the apply never tried (it stopped before their tasks), each as describeChange words it. */
  readonly notAttempted!: string[];
  /** The exec commands in flight that a signal ended, described: not done, run again by the next apply. */
  readonly interrupted: string[];
  readonly exec!: ExecOutcome[];
  readonly linksLeft!: LinkLeft[];
  readonly linksKept!: LinkLeft[];
  constructor(
    topology: string,
    done: Change[],
    exec: ExecOutcome[],
    notStarted: readonly Change[] = [],
    refused: LinksRefused = { left: [], kept: [] },
    interrupted: readonly Change[] = [],
  ) {
    const cut = interrupted.length > 0 ? `, ${interrupted.length} interrupted` : "";
    const made = `${done.length} change${done.length === 1 ? "" : "s"} made${cut}, ${notStarted.length} not attempted`;
    super(new Error(`${topology} is partly applied (${made}; apply again to continue, or destroy it)`));
    Object.assign(this, leftAs(done, exec, notStarted, refused));
    this.interrupted = interrupted.map(describeChange);
  }
  override toJSON() {
    return { ...super.toJSON(), ...leftAsOf(this), interrupted: this.interrupted };
  }
}

/** A task: the changes it makes and how. */
interface Job {
  changes: Change[];
  /**
   * Changes reported done before that this task completes (new veths whose far end it brings up): named if it fails
   * before it completed them (as failed, or not attempted, by its `outcome`).
   */
  completes?: Change[];
  /** What `error` left of the task's changes (`completes` among them); none made, all failed, when not given. */
  outcome?(error: unknown): Outcome;
  /** Those of `changes` a task that ended well left as they were (a link the kernel will not delete): not done. */
  skipped?(): Change[];
  run(): Promise<unknown>;
}

/**
 * What a failed task left of its changes: those `made` before it stopped (or done all the same), those `untried`
 * after the change that failed; the others failed.
 */
interface Outcome {
  made: Change[];
  untried: Change[];
  /** The error is of none of the changes (the exec record's write after an entry ran): none failed. */
  noneFailed?: boolean;
  /**
   * The change that failed is an exec command a signal ended: where the apply's own signal was aborted too, it is
   * interrupted rather than failed (a terminal's Ctrl-C ends the commands with the CLI that heard it).
   */
  bySignal?: boolean;
}

/**
 * The outcome of a task's actions, each given with the changes it makes (`byAction`, in the task's order), that
 * `error` stopped: those before the failed action made, and those after it that ActionError.doneAfter names (links
 * made in one datagram with one someone deleted before it was looked up); the others after it never tried (the worker
 * runs no action after a failed one; a creation pipelined in its datagram is undone). Any other error (its
 * namespace not entered: index -1) leaves them all failed, as does an action without changes of its own: a failure
 * names at least one change where it can.
 */
function outcomeOf(byAction: readonly (readonly Change[])[], error: unknown): Outcome {
  if (!(error instanceof ActionError) || error.actionIndex < 0) return { made: [], untried: [] };
  const { actionIndex: failed } = error;
  const after = new Set(error.doneAfter);
  const made = byAction.filter((_, i) => i < failed || after.has(i)).flat();
  const untried = (byAction[failed]?.length ?? 0) === 0 ? [] : byAction.filter((_, i) => i > failed && !after.has(i)).flat();
  return { made, untried };
}

function phaseOf(c: Change): ApplyPhase {
  if (c.object === "netns") return c.op === "create" ? "namespaces" : "teardown";
  if (c.object === "link" && c.op === "delete") return "teardown";
  if (createsLink(c)) return "links";
  if (c.object === "exec") return "exec";
  if (c.object === "process") return "processes";
  return "configuration";
}

const sysctlActions = (changes: readonly Change[]) => changes.flatMap((c) => (c.object === "sysctl" ? [na.sysctl(c.name, c.to)] : []));

/** An interface's sysctl: its file exists only once the link does, so it cannot be written with a new namespace's others, before any link. */
const namesInterface = (name: string) => sysctlInterface(name) !== undefined;

/**
 * Phase 1: each new namespace made, marked and given its sysctls in one task
 * (their changes ride along); those of its interfaces are left to phase 4.
 */
function namespaceJobs(
  pool: Pool,
  topology: Topology,
  creates: readonly Change[],
  sysctls: Map<string, Change[]>,
  ids: Map<string, string>,
): Job[] {
  return (creates as ChangeOf<"netns", "create">[]).map((c) => {
    const mine = sysctls.get(c.netns) ?? [];
    const own = mine.filter((s) => s.object === "sysctl" && !namesInterface(s.name));
    const later = mine.filter((s) => !own.includes(s));
    if (later.length > 0) sysctls.set(c.netns, later);
    else sysctls.delete(c.netns);
    // A node with commands to run is ready only once they have (see execWaves).
    const ready = (topology.nodes.find((n) => n.name === c.node)?.exec.length ?? 0) === 0;
    const changes = [c, ...own];
    return {
      changes,
      // An action's failure comes after the namespace was made (its provider's is none of them): a sysctl's each.
      outcome: (error) => {
        // The last action reads its handle: no change of its own.
        const { made, untried } = outcomeOf([...own.map((s) => [s]), []], error);
        return { made: error instanceof ActionError && error.actionIndex >= 0 ? [c, ...made] : made, untried };
      },
      run: async () => {
        const { results } = await nsDoOn(
          pool,
          ns.createNamed(c.netns, DEFAULT_NETNS_DIR, { loAlias: marker(topology.name, c.node, ready) }),
          ...sysctlActions(own),
          // Its id for the record, from the task that made and marked it: the name could be another namespace's by now.
          na.handle(),
        );
        const id = idOfHandle(results.at(-1) as NsHandle);
        if (id !== undefined) ids.set(c.netns, id);
      },
    };
  });
}

/**
 * A link of a node that the kernel will not delete (EOPNOTSUPP), in the place of a link the file makes there: left, it
 * would fail that link's creation (EEXIST), so the apply fails here, saying what to do.
 */
function undeletableError(c: ChangeOf<"link", "delete">, cause: unknown): NeslinkError {
  return new NeslinkError(
    "ERR_LINK_UNDELETABLE",
    `link ${c.name} of node ${c.node} (namespace ${c.netns}): the kernel refuses to delete it (EOPNOTSUPP: a device ` +
      `with no rtnetlink delete, such as a physical NIC or VF moved in by hand), and the file makes a link of that ` +
      `name there: move it back to the host's namespace (ip -n ${c.netns} link set dev ${c.name} netns 1) or rename ` +
      `it (ip -n ${c.netns} link set dev ${c.name} name NEW), then apply again`,
    { cause },
  );
}

/**
 * Phase 2: the nodes gone from the file removed in one job (see removeNamespaces), and each link to delete in a job of
 * its own. What the kernel refuses to delete goes to `refused`: a removed node's links with its namespace; a link
 * made by hand in a node that stays is left there, unless the file makes one of its name there.
 */
function teardownJobs(pool: Pool, topology: Topology, changes: readonly Change[], refused: LinksRefused): Job[] {
  const gone = changes.filter((c): c is ChangeOf<"netns"> => c.object === "netns");
  const jobs: Job[] =
    gone.length > 0
      ? [
          {
            changes: gone,
            run: async () => {
              const left = await removeNamespaces(
                pool,
                topology.name,
                gone.map((c) => c.netns),
              );
              refused.left.push(...left);
            },
          },
        ]
      : [];
  for (const c of changes) {
    if (c.object !== "link" || c.op !== "delete") continue;
    let kept = false;
    jobs.push({
      changes: [c],
      skipped: () => (kept ? [c] : []),
      run: () =>
        nsDoOn(pool, c.netns === HOST ? ns.now() : ns.name(c.netns), na.link(lp.byName(c.name), la.remove())).catch((err) => {
          if (isGone(err)) return;
          if (c.netns === HOST || !isUndeletable(err)) throw err;
          const node = topology.nodes.find((n) => n.name === c.node);
          if (node?.interfaces.some((i) => i.name === c.name)) throw undeletableError(c, err);
          kept = true;
          refused.kept.push({ node: c.node, netns: c.netns, dev: c.name });
        }),
    });
  }
  return jobs;
}

/** The outcome of a task that makes `own` by one action each, in order (see outcomeOf). */
const oneEach = (own: readonly Change[]) => (error: unknown) =>
  outcomeOf(
    own.map((c) => [c]),
    error,
  );

/** One task per namespace with an action per change: a namespace's requests go out pipelined on its socket. */
function perNamespace<C extends Change>(pool: Pool, list: readonly C[], action: (c: C) => NsAction): Job[] {
  return [...groupBy(list, (c) => c.netns)].map(([netns, own]) => ({
    changes: own,
    outcome: oneEach(own),
    run: () => nsDoOn(pool, ns.name(netns), ...own.map(action)),
  }));
}

function bridgeJobs(pool: Pool, bridges: readonly LinkCreate<"bridge">[]): Job[] {
  return perNamespace(pool, bridges, (c) =>
    na.link(lp.newBridge(c.name, { up: c.up, group: LAB_GROUP, ...(c.mtu && { mtu: c.mtu }), ...(c.mac && { mac: c.mac }) })),
  );
}

/** The provider of a lab's vxlan or macvlan: made from the host, in its node, under its name there. */
function hostMade(c: LinkCreate<"vxlan" | "macvlan">) {
  const common = { group: HOST_BOUND_GROUP, ns: ns.name(c.netns), up: c.up, ...(c.mtu && { mtu: c.mtu }), ...(c.mac && { mac: c.mac }) };
  return c.kind === "vxlan"
    ? lp.newVxlan(c.name, {
        ...common,
        id: c.vxlan?.id as number,
        ...(c.vxlan?.remote && { remote: c.vxlan.remote }),
        ...(c.vxlan?.local && { local: c.vxlan.local }),
        ...(c.vxlan?.group && { multicastGroup: c.vxlan.group }),
        ...(c.vxlan?.port && { port: c.vxlan.port }),
        ...(c.vxlan?.parent && { parent: lp.byName(c.vxlan.parent) }),
      })
    : lp.newMacvlan(c.name, lp.byName(c.macvlan?.parent as string), c.macvlan?.mode, common);
}

/**
 * A vxlan or macvlan is made from the host namespace — its parent is a host
 * link and a vxlan's UDP socket stays in the namespace that makes it —
 * directly into its node, under its name there (na.link with `ns`): it is
 * never in the host, so no name of it can meet one there, and an apply
 * killed at any point leaves it made in its node or not at all (the record
 * says the node has such links before any is made: destroy deletes them
 * first). Made in the host and moved, each cost the kernel ~30 ms. A node's
 * go in one task from the host, pipelined as a veth's do (64 to a datagram,
 * then one lookup in the node), nodes' tasks in parallel; as one by one,
 * the links before a failed one are made, those after it are not (but those
 * its datagram made when it alone was gone by its lookup: see outcomeOf).
 */
function hostMadeJobs(pool: Pool, list: readonly LinkCreate<"vxlan" | "macvlan">[]): Job[] {
  return [...groupBy(list, (c) => c.netns)].map(([, own]) => ({
    changes: own,
    outcome: oneEach(own),
    run: () => nsDoOn(pool, ns.now(), ...own.map((c) => na.link(hostMade(c)))),
  }));
}

/** A namespace's veths in one task: consecutive creations go out pipelined, 64 to a datagram. */
function vethJobs(pool: Pool, veths: readonly LinkCreate<"veth">[]): Job[] {
  return perNamespace(pool, veths, (c) =>
    na.link(
      lp.newVeth(
        c.name,
        {
          name: c.peer.name,
          ns: ns.name(c.peer.netns),
          group: LAB_GROUP,
          ...(c.peer.mtu && { mtu: c.peer.mtu }),
          ...(c.peer.mac && { mac: c.peer.mac }),
        },
        {
          up: c.up,
          group: LAB_GROUP,
          ...(c.mtu && { mtu: c.mtu }),
          ...(c.mac && { mac: c.mac }),
          ...(c.master && { master: lp.byName(c.master) }),
        },
      ),
    ),
  );
}

/**
 * The far ends of new veths that the file wants up, by namespace, with the
 * change that made each. The kernel cannot create a veth's peer up: it
 * configures the peer before it ties the pair, so opening it fails with
 * ENOTCONN (what `ip link add A type veth peer name B up` gets). So its
 * node's configuration task brings it up, before the addresses and routes
 * that may need it up, and a plan counts that as part of the veth's change.
 */
function farEndsUp(veths: readonly Change[]): Map<string, Map<string, LinkCreate<"veth">>> {
  const ends = new Map<string, Map<string, LinkCreate<"veth">>>();
  for (const c of veths) {
    if (!createsLink(c, "veth") || !c.peer.up) continue;
    const own = ends.get(c.peer.netns) ?? new Map();
    ends.set(c.peer.netns, own.set(c.peer.name, c));
  }
  return ends;
}

/**
 * The link actions for one interface's changes: settings first (with `up`,
 * a new veth's far end brought up in the same request), then addresses
 * removed, then added (deleting a subnet's primary address also deletes the
 * secondaries added after it, unless promote_secondaries is on).
 */
function interfaceActions(changes: readonly Change[], up: boolean) {
  const actions = [];
  let settings: ChangeOf<"link", "update">["set"] | undefined = up ? { up } : undefined;
  for (const c of changes) if (c.object === "link" && c.op === "update") settings = { ...settings, ...c.set };
  if (settings) {
    const { master, ...rest } = settings;
    actions.push(la.set({ ...rest, ...(master !== undefined && { master: master === null ? null : lp.byName(master) }) }));
  }
  for (const c of changes) if (c.object === "address" && c.op === "delete") actions.push(la.delAddr(c.cidr));
  for (const c of changes) if (c.object === "address" && c.op === "create") actions.push(la.addAddr(c.cidr, { replace: true }));
  return actions;
}

/** A route a change names (as `route add --json` names one), asked of the kernel as `route add` asks it. */
function routeAction(c: ChangeOf<"route">) {
  const { to, family, via, dev, metric, table } = c.route;
  const input = {
    // A host route's `to` is its address alone, as ip writes it; the kernel is asked for it with its full length.
    to: to === "default" || to.includes("/") ? to : `${to}/${family === "inet6" ? 128 : 32}`,
    family: family === "inet6" ? 6 : 4,
    ...(via !== null && { via }),
    ...(dev !== null && { dev: lp.byName(dev) }),
    ...(metric !== null && { metric }),
    table: tableId(table) ?? Number(table),
  } as const;
  return c.op === "create" ? ra.replaceRoute(input) : ra.delRoute(input);
}

/** An action of a task, with the changes it makes. */
interface Step {
  changes: Change[];
  action: NsAction;
  /** The new veth (among `changes`) whose far end its first link action brings up. */
  farEndOf?: Change;
}

/**
 * A node's configuration after its route deletes, in order: its IPv6 address deletes, its sysctls, its interfaces (settings and addresses),
 * its routes. An interface's action makes all of its changes, and completes the new veth whose far end it brings up:
 * counted made only if it ended well (conservative where one of its addresses failed).
 */
function configurationSteps(
  list: readonly Change[],
  ifaces: ReadonlyMap<string, readonly Change[]>,
  ups: ReadonlyMap<string, LinkCreate<"veth">>,
  routes: readonly ChangeOf<"route">[],
): Step[] {
  const v6Deletes = (own: readonly Change[]) => own.filter((c) => c.object === "address" && c.op === "delete" && c.cidr.includes(":"));
  return [
    // Before the sysctls: a disable_ipv6 written 1 drops the link's IPv6 addresses, and their deletes would then fail.
    ...[...ifaces].flatMap(([name, own]) => {
      const gone = v6Deletes(own) as ChangeOf<"address">[];
      return gone.length === 0 ? [] : [{ changes: gone, action: na.link(lp.byName(name), ...gone.map((c) => la.delAddr(c.cidr))) }];
    }),
    ...list.flatMap((c) => (c.object === "sysctl" ? [{ changes: [c], action: na.sysctl(c.name, c.to) }] : [])),
    ...[...ifaces].flatMap(([name, all]) => {
      const gone = v6Deletes(all);
      const own = all.filter((c) => !gone.includes(c));
      const veth = ups.get(name);
      if (own.length === 0 && veth === undefined) return [];
      const action = na.link(lp.byName(name), ...interfaceActions(own, veth !== undefined));
      return [veth ? { changes: [...own, veth], action, farEndOf: veth } : { changes: own, action }];
    }),
    // A route with dev alone first: the gateway of one after it may be reachable only through it (see route-reach.ts).
    ...[...routes]
      .sort((a, b) => Number(a.route.via !== null) - Number(b.route.via !== null))
      .flatMap((c) => (c.op === "create" ? [{ changes: [c], action: routeAction(c) }] : [])),
  ];
}

/**
 * Phase 4: one task per namespace, its interfaces' changes pipelined, then
 * routes. Where an address goes, the kernel drops the routes through its
 * subnet by itself, so there every route of the node is asserted again.
 */
function configurationJobs(
  pool: Pool,
  topology: Topology,
  changes: readonly Change[],
  sysctls: Map<string, Change[]>,
  farEnds: Map<string, Map<string, LinkCreate<"veth">>>,
): Job[] {
  const byNs = groupBy(changes, (c) => c.netns);
  for (const [netns, list] of sysctls) byNs.set(netns, [...(byNs.get(netns) ?? []), ...list]);
  // A namespace whose only work is to bring far ends up gets its task too.
  for (const netns of farEnds.keys()) if (!byNs.has(netns)) byNs.set(netns, []);
  return [...byNs].map(([netns, list]) => {
    const ups = farEnds.get(netns) ?? new Map<string, LinkCreate<"veth">>();
    const ifaces = groupBy(
      list.filter((c): c is ChangeOf<"link", "update"> | ChangeOf<"address"> => c.object === "link" || c.object === "address"),
      (c) => (c.object === "link" ? c.name : c.dev),
    );
    for (const name of ups.keys()) if (!ifaces.has(name)) ifaces.set(name, []);
    const routes = list.filter((c): c is ChangeOf<"route"> => c.object === "route");
    const node = topology.nodes.find((n) => n.netns === netns);
    if (node && list.some((c) => c.object === "address" && c.op === "delete")) {
      const planned = new Set(routes.filter((c) => c.op === "create").map((c) => JSON.stringify(c.route)));
      for (const route of node.routes.map(routeToMake))
        if (!planned.has(JSON.stringify(route))) routes.push({ op: "create", object: "route", node: node.name, netns, route });
    }
    const deletes = routes.filter((c) => c.op === "delete");
    /** The second task's actions, each with what it makes (built as it starts: a failure to build one is the task's). */
    let steps: Step[] = [];
    let deleted = 0;
    const run = async () => {
      steps = configurationSteps(list, ifaces, ups, routes);
      // A route that is already gone (it went with its link) is what its delete wanted.
      for (const c of deletes) {
        await nsDoOn(pool, ns.name(netns), routeAction(c)).catch((err) => (isGone(err) ? undefined : Promise.reject(err)));
        deleted++;
      }
      await nsDoOn(pool, ns.name(netns), ...steps.map((s) => s.action));
    };
    // A delete refused stops the task there: the deletes after it and the second task never tried.
    const outcome = (error: unknown): Outcome => {
      const gone = deletes.slice(0, deleted);
      const rest = steps.flatMap((s) => s.changes);
      if (deleted < deletes.length) return { made: gone, untried: [...deletes.slice(deleted + 1), ...rest] };
      const { made, untried } = outcomeOf(
        steps.map((s) => s.changes),
        error,
      );
      // A link action after the first failed: the far end was up by then, and its veth is made whole (an address failed).
      const step = error instanceof ActionError ? steps[error.actionIndex] : undefined;
      const upFirst = step?.farEndOf !== undefined && ((error as ActionError).linkActionIndex ?? 0) > 0;
      return { made: [...gone, ...made, ...(upFirst ? [step.farEndOf as Change] : [])], untried };
    };
    return { changes: list, completes: [...ups.values()], outcome, run };
  });
}

/**
 * Writes `record` to its file when asked; those who ask while a write is due share it (a lab's nodes end their
 * commands together: one write, not one each of a record that grows with the lab).
 */
function recordWriter(topology: string, record: ExecRecord): () => Promise<void> {
  let due: Promise<void> | undefined;
  return () =>
    (due ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        due = undefined;
        try {
          writeRecord(recordPath(topology), record);
          resolve();
        } catch (err) {
          reject(err);
        }
      }),
    ));
}

/**
 * The record of the exec commands that ran could not be written once `argv` of `node` ran: said as what it is. The
 * record is the one place that says an entry ran to its end (its cgroup leaf is there as well when an apply was killed
 * while it ran), so the next apply runs it again unless a later write of this apply (another node's entry) recorded
 * it: the node's later entries are not run, to leave no more such entries.
 */
function unrecordedError(node: string, argv: readonly string[], err: unknown): NeslinkError {
  const code = (NeslinkError.isInstance(err) ? err.code : "EIO") as "EIO";
  const why = toErrorJSON(err).message;
  return new NeslinkError(
    code,
    `node ${node}: ${commandLine(argv)} ran, but the record does not say so (${why}): the next apply runs it again`,
    { cause: err },
  );
}

/**
 * Phase 5: first the record as it stands before any command runs (`was`: as read, undefined when missing), with the
 * plan's record-only changes; then each node's commands in order, each recorded once it succeeded (an apply stopped
 * later runs only those after it). A node not ready is marked so once they have all run.
 */
function execWaves(
  pool: Pool,
  topology: Topology,
  execs: readonly ChangeOf<"exec">[],
  lives: ReadonlyMap<string, LiveNamespace>,
  was: ExecRecord | undefined,
  outcomes: ExecOutcome[],
  signal: AbortSignal | undefined,
): Job[][] {
  const runs = groupBy(
    execs.filter((c): c is ChangeOf<"exec", "create"> => c.op === "create"),
    (c) => c.node,
  );
  const record = new Map(topology.nodes.map((n) => [n.name, recordedBefore(n, runs.get(n.name) ?? [])]));
  const write = recordWriter(topology.name, record);
  const recordOnly = execs.filter((c) => c.op !== "create");
  const first: Job[] = recordOnly.length > 0 || !isDeepStrictEqual(was, record) ? [{ changes: recordOnly, run: write }] : [];
  const jobs = [...runs].map(([node, list]): Job => {
    const netns = list[0]?.netns as string;
    const ran = record.get(node) as string[][];
    const ready = lives.get(node)?.owner?.ready === true;
    // Nothing of a node not ready on record (as found: an entry since gone from the file counts, and what it started
    // runs on): what its exec directory holds was left by commands that are to run again.
    const fresh = !ready && (was?.get(node)?.length ?? 0) === 0;
    /** Commands that ran before one failed: those after the one that failed never ran. */
    let ended = 0;
    /** The record's write failed once the last of those that ran had ended: that one is made, and none failed. */
    let unrecorded = false;
    /** The last command that ended was ended by a signal. */
    let bySignal = false;
    return {
      changes: list,
      outcome: (error) =>
        unrecorded
          ? { made: list.slice(0, ended), untried: list.slice(ended), noneFailed: true }
          : // Stopped by the apply's signal before its next command: none failed, those left never started.
            error instanceof AbortedError
            ? { made: list.slice(0, ended), untried: list.slice(ended), noneFailed: true, bySignal: true }
            : { made: list.slice(0, ended), untried: list.slice(ended + 1), bySignal },
      run: async () => {
        await runNodeCommands(
          pool,
          topology.name,
          node,
          netns,
          list,
          (argv, r) => {
            bySignal = r.signal !== null;
            outcomes.push({ node, argv, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr });
          },
          async (argv) => {
            // It ran, whatever becomes of the record: it is done, and its output told.
            ran.push(argv);
            ended++;
            await write().catch((err: unknown) => {
              unrecorded = true;
              throw unrecordedError(node, argv, err);
            });
          },
          fresh,
          (argv) => ran.filter((r) => isDeepStrictEqual(r, argv)).length,
          signal,
        );
        if (!ready) await nsDoOn(pool, ns.name(netns), na.link(lp.byName("lo"), la.setAlias(marker(topology.name, node, true))));
      },
    };
  });
  return [first, jobs];
}

/**
 * The ids for the record of the lab's namespaces (ns-record.ts): those its marker was read in (`lives`) or this apply
 * made, by the ids their own tasks read. A node has host links when the file gives it a vxlan or macvlan, or when any
 * link but lo was found in it outside LAB_GROUP (made by hand, or by an earlier file): destroy deletes them first.
 */
function recordedIds(
  topology: Topology,
  lives: ReadonlyMap<string, LiveNamespace>,
  made: ReadonlyMap<string, string>,
  prior: NsRecord | undefined,
): Map<string, RecordedNs> {
  const record = new Map<string, RecordedNs>();
  for (const node of topology.nodes) {
    const live = lives.get(node.name);
    // An id kept from the record was not read again: a wrong one (a namespace made again by an apply killed before
    // its record) matches no namespace, and destroy reads that entry's marker as it would without a record.
    const id =
      made.get(node.netns) ?? (live?.owner?.topology === topology.name ? (live.id ?? prior?.namespaces.get(node.netns)?.id) : undefined);
    if (id === undefined) continue;
    const hostBound =
      node.interfaces.some((i) => i.kind === "vxlan" || i.kind === "macvlan") ||
      (live?.links.some((l) => l.name !== "lo" && l.group !== LAB_GROUP) ?? false);
    record.set(node.netns, { node: node.name, id, hostBound });
  }
  return record;
}

/**
 * The entries the record lists once this apply begins: those it listed, with every one the plan makes or removes (a
 * kill between an entry's making and its mount, or an unmount and its unlink, leaves it empty for destroy to find).
 */
const touchedEntries = (prior: NsRecord | undefined, changes: readonly Change[]) => [
  ...new Set([...(prior?.entries ?? []), ...changes.flatMap((c) => (c.object === "netns" ? [c.netns] : []))]),
];

/** Phase 6: programs that go are stopped first (a changed one is restarted), then the missing ones started. */
function processJobs(pool: Pool, topology: string, changes: readonly Change[]): Job[][] {
  const stops = changes.filter((c): c is ChangeOf<"process", "delete"> => c.object === "process" && c.op === "delete");
  const starts = changes.filter((c): c is ChangeOf<"process", "create"> => c.object === "process" && c.op === "create");
  return [
    stops.map((c) => ({ changes: [c], run: () => stopProgram(topology, c.node, c.name) })),
    [...groupBy(starts, (c) => c.netns)].map(([netns, list]) => ({
      changes: list,
      // A node's programs start together, and each runs or not on its own: those running are made.
      outcome: (error) => ({
        made: error instanceof NotRunningError ? list.filter((c) => !error.programs.includes(c.process.name)) : [],
        untried: [],
      }),
      run: async () => {
        const { results } = await nsDoOn(pool, ns.name(netns), ...(await startActions(topology, list)));
        const failed = results.find((r) => r.status !== 0);
        if (failed)
          throw new NeslinkError(
            "ERR_PROCESS_NOT_RUNNING",
            `node ${list[0]?.node}: could not start its programs: ${lastLine(failed.stderr)}`,
          );
        await started(
          topology,
          list[0]?.node as string,
          list.map((c) => c.process),
        );
      },
    })),
  ];
}

/** Runs a wave's jobs in parallel; rejects with every failure once all have ended. */
/**
 * A namespace the plan found free but someone else made before this apply
 * could (another topology naming it, `ip netns add`): refused as the plan
 * would have refused it, with nothing changed. The namespaces this phase made
 * (the first phase: nothing was changed before it) are removed again, then
 * `unrecord` puts the record back as it was: the entries it listed for this
 * apply are gone, or another's (a later destroy took the other lab's for a
 * leftover of this one). Returns without throwing when any failure is
 * something else.
 */
async function refuseTaken(
  pool: Pool,
  topology: Topology,
  failures: readonly ApplyFailure[],
  done: Change[],
  unrecord: () => void,
): Promise<void> {
  if (!failures.every((f) => (rootCause(f.error) as { code?: unknown }).code === "ERR_NS_EXISTS")) return;
  await removeNamespaces(
    pool,
    topology.name,
    done.flatMap((c) => (c.object === "netns" ? [c.netns] : [])),
  );
  unrecord();
  throw new TopologyConflictError(
    topology.name,
    failures.flatMap((f) =>
      f.changes.flatMap((c) =>
        c.object === "netns" ? [{ node: c.node, netns: c.netns, reason: "was made by someone else while this apply ran" }] : [],
      ),
    ),
    { refused: true },
  );
}

/**
 * A task's error as its failure tells it, beside the changes it names (described, with their place in the file): an
 * action's is its cause, the kernel's or core's own error, whose code the ActionError around it had taken. That one
 * spoke of "action #2", an index into the list of actions apply made of a node's changes, which no user wrote. One
 * whose cause has no code of its own keeps its ActionError (ERR_ACTION_FAILED), named by its kind alone.
 */
function changeError(error: unknown): unknown {
  if (!(error instanceof ActionError)) return error;
  if (NeslinkError.isInstance(error.cause) && error.cause.code === error.code) return error.cause;
  return new ActionError(error.actionIndex, error.action, error.returned, error.cause, error.linkActionIndex, true, error.doneAfter);
}

async function runWave(
  jobs: readonly Job[],
  onDone: (change: Change) => void,
  onFailed: (failure: ApplyFailure) => void,
  onSkipped: (change: Change) => void,
): Promise<void> {
  const failures: ApplyFailure[] = [];
  // What the caller's onProgress threw (through onDone, onFailed): thrown once every job has ended. Let out at once, it
  // would end the wave with jobs still running, unawaited, under a lock the apply then lets go.
  let thrown: { error: unknown } | undefined;
  const report = (call: () => void) => {
    try {
      call();
    } catch (error) {
      thrown ??= { error };
    }
  };
  await Promise.all(
    jobs.map((job) =>
      // A job that throws before its first await fails like one that rejects.
      Promise.resolve()
        .then(() => job.run())
        .then(
          () => {
            const skipped = new Set(job.skipped?.());
            for (const change of job.changes)
              if (skipped.has(change)) onSkipped(change);
              else report(() => onDone(change));
          },
          (error: unknown) => {
            const outcome = job.outcome?.(error);
            const made = new Set(outcome?.made);
            for (const change of job.changes) if (made.has(change)) report(() => onDone(change));
            const untried = new Set(outcome?.untried);
            const left = [...(job.completes ?? []), ...job.changes].filter((c) => !made.has(c));
            const failed = left.filter((c) => !untried.has(c));
            // One with no planned change of its own (a route asserted again where an address went) names those after it.
            const failure: ApplyFailure =
              failed.length > 0 || outcome?.noneFailed
                ? { changes: failed, notAttempted: left.filter((c) => untried.has(c)), error: changeError(error) }
                : { changes: left, notAttempted: [], error: changeError(error) };
            if (outcome?.bySignal) failure.bySignal = true;
            failures.push(failure);
            report(() => onFailed(failure));
          },
        ),
    ),
  );
  if (failures.length > 0) throw failures;
  if (thrown) throw thrown.error;
}

/**
 * The planned changes of the tasks an apply stopped at `failures` never started: all those neither done, nor named by
 * a failure, nor left as they were by a task that ended well. Taken from the plan rather than from the waves not run,
 * whose jobs some changes ride along in (a new namespace's sysctls, planned with the configuration).
 */
function unaccounted(
  changes: readonly Change[],
  done: readonly Change[],
  failures: readonly ApplyFailure[],
  left: ReadonlySet<Change>,
): Change[] {
  const told = new Set([...done, ...left, ...failures.flatMap((f) => [...f.changes, ...f.notAttempted])]);
  return changes.filter((c) => !told.has(c));
}

/**
 * How long an apply whose failures are all exec commands ended by a signal waits for its own signal's abort: the
 * terminal's Ctrl-C that ended them reaches the caller too, whose handler can run only after the worker told the
 * commands' end.
 */
const SIGNAL_GRACE_MS = 250;

/** Whether `signal` is aborted, or is within `ms`. */
function abortedWithin(signal: AbortSignal | undefined, ms: number): Promise<boolean> {
  if (signal === undefined || signal.aborted) return Promise.resolve(signal?.aborted === true);
  return new Promise((resolve) => {
    const stop = whenAborted(signal, () => {
      clearTimeout(timer);
      resolve(true);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, ms);
  });
}

/**
 * The changes (of `changes`, the plan's) of `failures` when each is an exec command a signal ended and the caller's
 * `signal` was aborted (by SIGNAL_GRACE_MS): the interrupt's doing (a terminal's Ctrl-C reaches the commands too), told
 * as an interrupted apply's. Undefined when any failure is of something else (a failure of its own, told as such), or
 * the caller's signal was not aborted.
 */
async function interruptedBy(
  signal: AbortSignal | undefined,
  failures: readonly ApplyFailure[],
  changes: readonly Change[],
): Promise<Change[] | undefined> {
  if (!failures.every((f) => f.bySignal === true) || !(await abortedWithin(signal, SIGNAL_GRACE_MS))) return undefined;
  // In the plan's order, not the order the commands ended in.
  const cut = new Set(failures.flatMap((f) => f.changes));
  return changes.filter((c) => cut.has(c));
}

/** `planned()`, whose conflicts are apply's refusal of `topology`: nothing was changed. */
function refusing<T>(topology: string, planned: () => T): T {
  try {
    return planned();
  } catch (err) {
    throw err instanceof TopologyConflictError ? new TopologyConflictError(topology, err.conflicts, { refused: true }) : err;
  }
}

/** `refused` as told: by node and link, not in the order the jobs ended. */
function inOrder({ left, kept }: LinksRefused): LinksRefused {
  const order = (a: LinkLeft, b: LinkLeft) => a.node.localeCompare(b.node, "en", { numeric: true }) || a.dev.localeCompare(b.dev);
  return { left: [...left].sort(order), kept: [...kept].sort(order) };
}

/** Makes the kernel match `topology`, changing only what differs; returns what it did. */
export async function apply(given: Topology, options: ApplyOptions = {}): Promise<ApplyResult> {
  const topology = checkTopology("topology", given);
  const started = performance.now();
  const checked = topologyOptions(options, ["pool", "onProgress", "signal", "expected"]) as ApplyOptions;
  const pool = checked.pool ?? defaultPool();
  const emit = checked.onProgress ?? (() => {});
  const { signal } = checked;
  const expected = checked.expected === undefined ? undefined : expectedChanges(topology.name, checked.expected);
  const lock = lockTopologyReading(topology.name);
  /** The lab's record as found, and whether this apply began changing it (its record written first): see `finally`. */
  let prior: NsRecord | undefined;
  let begun = false;
  try {
    // Ids are read only where the record has none: an unchanged lab's re-apply reads no more than a plan.
    prior = readNsRecord(topology.name);
    const unrecorded = new Set(topology.nodes.flatMap((n) => (prior?.namespaces.has(n.netns) ? [] : [n.netns])));
    const read = await readLive(topology, pool, unrecorded).catch(async (err: unknown) => {
      // Another process still applying with a removed lock file: what the caller needs to hear.
      await lock.unshared;
      throw err;
    });
    // Told while the kernel was read (lockTopologyReading); nothing is changed before.
    await lock.unshared;
    const { lives } = read;
    const changes = refusing(topology.name, () => diff(topology, read));
    // What ran in a namespace to make again is forgotten before it is made (see forgetRemade).
    const record = forgetRemade(read.record, changes);
    assertHostParents(topology.name, changes, read.hostLinks, true);
    assertParentMtus(given, topology, changes, read.hostMtus);
    assertNoHostClashes(given, topology, changes, read);
    await assertSysctlsTaken(pool, given, topology, changes);
    if (expected !== undefined) assertPlanUnchanged(topology.name, expected, changes);
    const plan = { topology: topology.name, changes, summary: summarize(changes) };
    emit({ type: "planned", plan });
    const byPhase = groupBy(changes, phaseOf);
    // A new namespace's sysctls are written by the task that makes it, before any link exists (its interfaces' own, after).
    const sysctls = groupBy(
      (byPhase.get("configuration") ?? []).filter((c) => c.object === "sysctl"),
      (c) => c.netns,
    );
    const outcomes: ExecOutcome[] = [];
    const refused: LinksRefused = { left: [], kept: [] };
    /** The ids of the namespaces phase 1 made, by entry name. */
    const madeIds = new Map<string, string>();
    /** The record as this apply last wrote it (or found it): written again only where it changes. */
    let onRecord = prior;
    const saveRecord = (next: NsRecord) => {
      if (!isDeepStrictEqual(onRecord, next)) writeNsRecord(topology.name, next);
      onRecord = next;
    };
    let recorded = false;
    // Once phase 1 is over, and before any link is made (phase 3): a node given host links has them on record first.
    const recordIds = () => {
      if (!recorded) saveRecord({ namespaces: recordedIds(topology, lives, madeIds, prior), entries: onRecord?.entries ?? [] });
      recorded = true;
    };
    const done: Change[] = [];
    /** Those of `changes` a task that ended well left as they were (not done, told as linksKept/linksLeft). */
    const asTheyWere = new Set<Change>();
    const total = changes.length;
    /**
     * Aborted once changes have begun: heard between phases and waves, none in flight then (what was started has
     * ended: a namespace made is mounted, nothing half-made). Phase 1 is over by then: its namespaces are on record.
     */
    const stopped = () => {
      recordIds();
      return new TopologyAbortedError(topology.name, done, outcomes, unaccounted(changes, done, [], asTheyWere), inOrder(refused));
    };
    /** Each phase as waves of jobs: a wave's jobs run in parallel, waves one after another. */
    const waves = (phase: ApplyPhase, list: Change[]): Job[][] => {
      switch (phase) {
        case "namespaces":
          return [namespaceJobs(pool, topology, list, sysctls, madeIds)];
        case "teardown":
          return [teardownJobs(pool, topology, list, refused)];
        case "links":
          // Bridges exist before the veths that name them as master.
          return [
            bridgeJobs(
              pool,
              list.filter((c) => createsLink(c, "bridge")),
            ),
            [
              ...vethJobs(
                pool,
                list.filter((c) => createsLink(c, "veth")),
              ),
              ...hostMadeJobs(
                pool,
                list.filter((c) => createsLink(c, "vxlan", "macvlan")),
              ),
            ],
          ];
        case "configuration":
          return [
            configurationJobs(
              pool,
              topology,
              list.filter((c) => c.object !== "sysctl"),
              sysctls,
              farEndsUp(byPhase.get("links") ?? []),
            ),
          ];
        case "exec":
          return execWaves(pool, topology, list as ChangeOf<"exec">[], lives, record, outcomes, signal);
        case "processes":
          return processJobs(pool, topology.name, list);
      }
    };
    const from = loadedFrom(given);
    const place = (c: Change) => placeOf(topology, from, c, changes);
    for (const phase of PHASES) {
      const jobs = waves(phase, byPhase.get(phase) ?? []);
      const count = jobs.flat().reduce((n, j) => n + j.changes.length, 0);
      // A phase with no change of its own can still have work: new veths' far ends to bring up (configuration).
      if (jobs.flat().length === 0) continue;
      // Checked with no await before the first jobs start: aborted by then, nothing of the lab was changed.
      if (!begun && signal?.aborted) throw new AbortedError(new Error(`nothing of ${topology.name} was changed`));
      if (signal?.aborted) throw stopped();
      if (!begun) {
        saveRecord({ namespaces: prior?.namespaces ?? new Map(), entries: touchedEntries(prior, changes) });
        begun = true;
        if (record !== read.record) writeRecord(recordPath(topology.name), record as ExecRecord);
      }
      if (phase !== "namespaces") recordIds();
      if (count > 0) emit({ type: "phase", phase, changes: count });
      for (const [i, wave] of jobs.entries()) {
        if (i > 0 && signal?.aborted) throw stopped();
        await runWave(
          wave,
          (change) => {
            done.push(change);
            emit({ type: "change", change, text: describeChange(change), done: done.length, total });
          },
          ({ changes: failed, notAttempted, error }) =>
            emit({ type: "failed", changes: failed, places: failed.map(place), notAttempted, error: toErrorJSON(error) }),
          (change) => asTheyWere.add(change),
        ).catch(async (failures: unknown) => {
          // onProgress's own error, as it threw it.
          if (!Array.isArray(failures)) throw failures;
          if (phase === "namespaces") {
            await refuseTaken(pool, topology, failures, done, () =>
              saveRecord({ namespaces: prior?.namespaces ?? new Map(), entries: prior?.entries ?? [] }),
            );
            recordIds();
          }
          // A change an earlier phase told done that a failed task was to complete (a new veth whose far end it did not
          // bring up) is told with that failure alone: each planned change is told once.
          const named = new Set((failures as ApplyFailure[]).flatMap((f) => [...f.changes, ...f.notAttempted]));
          for (let i = done.length - 1; i >= 0; i--) if (named.has(done[i] as Change)) done.splice(i, 1);
          const notStarted = unaccounted(changes, done, failures as ApplyFailure[], asTheyWere);
          const cut = await interruptedBy(signal, failures as ApplyFailure[], changes);
          if (cut !== undefined)
            throw new TopologyAbortedError(
              topology.name,
              done,
              outcomes,
              unaccounted(changes, [...done, ...cut], [], asTheyWere),
              inOrder(refused),
              cut,
            );
          throw new TopologyApplyError(topology.name, failures, done, outcomes, inOrder(refused), place, notStarted);
        });
      }
    }
    recordIds();
    // Every change made: the lab's entries are its nodes' now. One it no longer needs that a killed run left empty (a
    // node removed from the file since) is removed before the record forgets it; anything else there is not the lab's.
    const entries = new Set(topology.nodes.map((n) => n.netns));
    await removeLeftovers((onRecord?.entries ?? []).filter((entry) => !entries.has(entry) && isNamespaceName(entry)));
    saveRecord({ namespaces: onRecord?.namespaces ?? new Map(), entries: [...entries] });
    const ms = Math.round(performance.now() - started);
    const summary = summarize(done);
    emit({ type: "finished", summary, ms });
    const { left, kept } = inOrder(refused);
    return { topology: topology.name, changes: done, summary, exec: outcomes, linksLeft: left, linksKept: kept, ms };
  } finally {
    // An apply that leaves the lab no record (it found none, and began no change: the record is written before the
    // first) made nothing of it: it leaves no lock file either, as a destroy would not (one refused or interrupted
    // before any change left it).
    if (prior === undefined && !begun) lock.remove();
    else lock.release();
  }
}
