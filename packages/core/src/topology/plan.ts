/**
 * topology.plan: the topology file against the kernel's live state, as the
 * list of changes that would make the kernel match it. It reads and never
 * writes. A namespace the topology would need but does not own (another
 * topology's, or anything unmarked that is not empty) is a conflict, refused
 * before any change is made.
 */
import type { Address, Link, Route } from "@neslink/codec-wasm";
import { AbortedError, NeslinkError, NotFoundError } from "../errors.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { whenAborted } from "../pool/when-aborted.js";
import { AF_INET6 } from "../validate/net.js";
import { type Change, type ChangeOf, createsLink, type Summary, summarize, sysctlWords } from "./changes.js";
import { checkTopology } from "./check.js";
import {
  addressText,
  canonicalCidr,
  managedRoutes,
  RT_SCOPE_UNIVERSE,
  routeMatches,
  routesByDestination,
  routeToDelete,
  routeToMake,
} from "./compare.js";
import { execChanges } from "./exec-plan.js";
import { type ExecRecord, readRecord, recordPath } from "./exec-record.js";
import { assertNoHostClashes } from "./host-clash.js";
import { EarlyIds } from "./lab-ids.js";
import { indexLive, linkChanges, type NodeState } from "./link-plan.js";
import { HOST, isNodeOf, type LiveNamespace, namesInMountDir, ownedNamespaces, readHostLinks, readNamespace, readSysctls } from "./live.js";
import type { Topology, TopologyNode } from "./model.js";
import { topologyOptions } from "./options.js";
import { assertParentMtus } from "./parent-mtu.js";
import type { PeerNamespaces } from "./peer-namespaces.js";
import { unlockedBefore, unlockedSince } from "./plan-lock.js";
import { namespaceInode } from "./processes.js";
import { digestOf, findProcesses, leftoverProcesses } from "./run.js";
import { isSecondary, promoteSysctls, takenWith } from "./secondaries.js";
import { DISABLE_IPV6, sysctlInterface } from "./sysctl-names.js";
import { assertSysctlsTaken } from "./sysctl-probe.js";

export interface Plan {
  topology: string;
  changes: Change[];
  summary: Summary;
}

export interface PlanOptions {
  /** The pool the reads run on (default: core's default pool). */
  pool?: Pool;
  /**
   * Aborted, plan rejects with an AbortedError at once, making no plan: its reads under way are not waited for (they
   * change nothing, and end on their own; a pool task's own signal would end its worker amid a read).
   */
  signal?: AbortSignal;
}

/** `work`, or an AbortedError (`stopped()`) as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, stopped: () => Error): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const stop = whenAborted(signal, () => reject(stopped()));
    // Its failure once aborted is no one's to hear: settled already, the promise ignores it.
    work.then(resolve, reject).finally(stop);
  });
}

/**
 * The namespaces the topology needs are not all its to use. `refused`: apply met them, and says it changed nothing
 * (plan, which changes nothing anyway, does not).
 */
export class TopologyConflictError extends NeslinkError {
  readonly conflicts: { node: string; netns: string; reason: string }[];
  constructor(topology: string, conflicts: { node: string; netns: string; reason: string }[], options: { refused?: boolean } = {}) {
    const lines = conflicts.map((c) => `  node ${c.node}: namespace ${c.netns} ${c.reason}`);
    const unchanged = options.refused ? "; nothing was changed" : "";
    super("ERR_TOPOLOGY_CONFLICT", `topology ${topology} cannot use these namespaces${unchanged}:\n${lines.join("\n")}`);
    this.conflicts = conflicts;
  }
  override toJSON() {
    return { ...super.toJSON(), conflicts: this.conflicts };
  }
}

/**
 * Whether IPv6 is on in a namespace, seen without entering it: its loopback
 * (always up in a lab's namespace) has ::1 exactly while IPv6 is on there.
 */
function ipv6On({ lo, addresses }: NodeState): boolean {
  return (lo && addresses.get(lo.index)?.some((a) => a.family === AF_INET6)) ?? false;
}

/**
 * A sysctl of a node as read with its namespace (null: the kernel has none of that name), or undefined where it was
 * not read: `asks` then gets its name, for readAll to read it and plan the node again. Sysctls a plan needs only in
 * rare cases are read only then, so that a plan of an unchanged lab reads none but the file's.
 */
function kernelSysctl(live: LiveNamespace, name: string, asks: Set<string> | undefined): string | null | undefined {
  if (Object.hasOwn(live.sysctls, name)) return live.sysctls[name] ?? null;
  asks?.add(name);
  return undefined;
}

/**
 * The sysctl changes a node needs: the file's own sysctls that differ, and
 * disable_ipv6 where the node is ipv6: false and IPv6 is on (a new
 * namespace gets them before any link exists), or ipv6: true and it is off
 * (a node applied with ipv6: false): then written 0 where they are not,
 * unless the file's own sysctls name one (writing all's writes default's too:
 * the file's then says what IPv6 is there).
 */
function sysctlChanges(s: NodeState, asks: Set<string> | undefined): Change[] {
  const { node, live } = s;
  const at = { node: node.name, netns: node.netns };
  const fresh = live.state !== "owned";
  const changes: ChangeOf<"sysctl">[] = [];
  if (!node.ipv6 && (fresh || ipv6On(s))) {
    for (const name of DISABLE_IPV6) changes.push({ op: "update", object: "sysctl", ...at, name, from: fresh ? null : "0", to: "1" });
  } else if (node.ipv6 && !fresh && !DISABLE_IPV6.some((name) => Object.hasOwn(node.sysctls, name)) && !ipv6On(s)) {
    // No ::1 on the loopback: IPv6 is off, or only its loopback was set down or lost ::1 by hand; the kernel tells.
    for (const name of DISABLE_IPV6) {
      const from = kernelSysctl(live, name, asks);
      // Not read (a LiveRead not from readLive, which reads what `asks` names): taken as on. None (null): a kernel
      // without IPv6 (ipv6.disable=1), where there is nothing to turn on.
      if (from !== undefined && from !== null && from !== "0") changes.push({ op: "update", object: "sysctl", ...at, name, from, to: "0" });
    }
  }
  for (const [name, to] of Object.entries(node.sysctls)) {
    const from = fresh ? null : (live.sysctls[name] ?? null);
    if (from === null || sysctlWords(from) !== sysctlWords(to)) changes.push({ op: "update", object: "sysctl", ...at, name, from, to });
  }
  rewrittenByAll(node.sysctls, changes, at, live.sysctls);
  // all's first, then default's (writing all's writes it too), then a link's own (all's writes every link's).
  return changes.sort((a, b) => scopeRank(a.name) - scopeRank(b.name));
}

const scopeRank = (name: string) => (sysctlInterface(name) !== undefined ? 2 : name.split(".")[3] === "default" ? 1 : 0);

/**
 * Sysctls whose write, when it changes the value, writes default's and every link's too, and the names it so writes:
 * disable_ipv6 (addrconf_disable_ipv6), and IPv4's and IPv6's forwarding (ip_forward as IPv4's all).
 */
const WRITES_EVERY_LINK: readonly (readonly [string, RegExp])[] = [
  [DISABLE_IPV6[0] as string, /^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/],
  ["net.ipv6.conf.all.forwarding", /^net\.ipv6\.conf\.[^.]+\.forwarding$/],
  ["net.ipv4.conf.all.forwarding", /^net\.ipv4\.conf\.[^.]+\.forwarding$/],
  ["net.ipv4.ip_forward", /^net\.ipv4\.conf\.[^.]+\.forwarding$/],
];

/**
 * Those of WRITES_EVERY_LINK's names the file gives another value than a changed all's are written again after it,
 * though the kernel has them now: a second apply was needed.
 */
function rewrittenByAll(
  sysctls: Readonly<Record<string, string>>,
  changes: ChangeOf<"sysctl">[],
  at: { node: string; netns: string },
  live: Readonly<Record<string, string | null>>,
): void {
  for (const [allName, written] of WRITES_EVERY_LINK) {
    const all = changes.find((c) => c.name === allName);
    if (all === undefined) continue;
    for (const [name, to] of Object.entries(sysctls)) {
      if (name === allName || !written.test(name) || sysctlWords(to) === sysctlWords(all.to)) continue;
      if (changes.some((c) => c.name === name)) continue;
      const reason = `writing ${allName} sets it to ${sysctlWords(all.to)}`;
      changes.push({ op: "update", object: "sysctl", ...at, name, from: live[name] ?? null, to, reason });
    }
  }
}

const NO_ADDRESSES: readonly Address[] = [];
const NONE_RECREATED: ReadonlySet<string> = new Set();
const NOTHING_EARLY: ReadonlyMap<string, EarlyPlan> = new Map();

/** The deletes of `gone`, a link's addresses: IPv4 secondaries first, for a primary's delete takes them with it (secondaries.ts). */
function addressDeletes(at: { node: string; netns: string }, dev: string, gone: readonly Address[], changes: Change[]): void {
  for (const a of gone) if (isSecondary(a)) changes.push({ op: "delete", object: "address", ...at, dev, cidr: addressText(a) });
  for (const a of gone) if (!isSecondary(a)) changes.push({ op: "delete", object: "address", ...at, dev, cidr: addressText(a) });
}

/**
 * Adds the changes that make the addresses `present` on interface `name` the ones `wanted` (CIDRs as the file writes
 * them); `promotes`: whether the link's secondaries outlive their primary's delete (asked only where one is deleted).
 */
function addressChanges(
  at: { node: string; netns: string },
  name: string,
  wanted: readonly string[],
  present: readonly Address[],
  changes: Change[],
  promotes: () => boolean,
  ipv6Dropped = false,
): void {
  if (wanted.length === 0) {
    // The usual case of lo and a bridge's ports: only addresses a user added (the kernel's own have another scope) go, once each.
    let seen: Set<string> | undefined;
    let gone: Address[] | undefined;
    for (const a of present) {
      const address = a.scope === RT_SCOPE_UNIVERSE ? addressText(a) : undefined;
      if (address === undefined || seen?.has(address)) continue;
      seen ??= new Set();
      seen.add(address);
      gone ??= [];
      gone.push(a);
    }
    if (gone) addressDeletes(at, name, gone, changes);
    return;
  }
  const have = new Map(present.map((a) => [addressText(a), a]));
  const want = new Set(wanted.map(canonicalCidr));
  for (const address of want) {
    if (!have.has(address)) changes.push({ op: "create", object: "address", ...at, dev: name, cidr: address });
    else if (ipv6Dropped && address.includes(":")) {
      const reason = `the kernel drops it as ${DISABLE_IPV6[0]} is written`;
      changes.push({ op: "create", object: "address", ...at, dev: name, cidr: address, reason });
    }
  }
  let gone: Address[] | undefined;
  for (const [address, a] of have) {
    if (want.has(address) || a.scope !== RT_SCOPE_UNIVERSE) continue;
    gone ??= [];
    gone.push(a);
  }
  if (gone === undefined) return;
  addressDeletes(at, name, gone, changes);
  const taken = takenWith(present, gone, (a) => want.has(addressText(a)));
  if (taken.length === 0 || promotes()) return;
  for (const { address, primary } of taken) {
    const reason = `the kernel deletes it with ${addressText(primary)}, its primary`;
    changes.push({ op: "create", object: "address", ...at, dev: name, cidr: addressText(address), reason });
  }
}

/**
 * Whether a node's link `dev` promotes its secondaries when their primary goes (promote_secondaries: all's or its
 * own, as they will be then: the file's where it gives them, written before addresses change); one not read yet
 * counts as off, and goes to `asks`.
 */
function promotesOn(s: NodeState, dev: string, asks: Set<string> | undefined): boolean {
  return promoteSysctls(dev).some((name) => {
    const value = s.node.sysctls[name] ?? kernelSysctl(s.live, name, asks);
    return value !== undefined && value !== null && Number(value.trim()) !== 0;
  });
}

/**
 * Address, route and sysctl changes of one node. `recreated`: its links being made again now, so with no address yet;
 * `asks`: gets the sysctls the plan needed and were not read (see kernelSysctl).
 */
function nodeChanges(s: NodeState, recreated: ReadonlySet<string>, asks?: Set<string>): Change[] {
  const { node, live, links, lo, byIndex, addresses } = s;
  const at = { node: node.name, netns: node.netns };
  const changes: Change[] = [];
  // The loopback is up in every node (its marker was set with it): set down by hand, it comes back.
  if (live.state === "owned" && lo && !lo.up)
    changes.push({ op: "update", object: "link", kind: lo.kind, ...at, name: "lo", set: { up: true }, from: { up: false } });
  const addressesOn = (link: Link | undefined) => (link ? (addresses.get(link.index) ?? NO_ADDRESSES) : NO_ADDRESSES);
  const sysctls = sysctlChanges(s, asks);
  // Turning all's IPv6 off drops every link's IPv6 addresses, also of a link the file then turns back on (written after it).
  const allOff = sysctls.some((c) => c.object === "sysctl" && c.name === DISABLE_IPV6[0] && Number(c.to.trim()) !== 0);
  const dropped = (dev: string) => allOff && Number(node.sysctls[`net.ipv6.conf.${dev}.disable_ipv6`]?.trim() ?? 1) === 0;
  for (const iface of node.interfaces) {
    const present = addressesOn(recreated.has(iface.name) ? undefined : links.get(iface.name));
    addressChanges(at, iface.name, iface.addresses, present, changes, () => promotesOn(s, iface.name, asks), dropped(iface.name));
  }
  addressChanges(at, "lo", node.loopback, addressesOn(lo), changes, () => promotesOn(s, "lo", asks), dropped("lo"));
  const routes = managedRoutes(live);
  const candidates = routesByDestination(routes);
  const matched = new Set<Route>();
  for (const want of node.routes) {
    const have = candidates(want).find((r) => !matched.has(r) && routeMatches(want, r, byIndex));
    // A route through a link being made again goes with the old link: it is made again too.
    const through = have?.oifIndex == null ? undefined : byIndex.get(have.oifIndex);
    if (have && !(through !== undefined && recreated.has(through))) matched.add(have);
    else changes.push({ op: "create", object: "route", ...at, route: routeToMake(want) });
  }
  // The routes to delete go first, the last one found first (they were unshifted one by one, each moving all the others).
  const gone: Change[] = [];
  for (const r of routes) if (!matched.has(r)) gone.push({ op: "delete", object: "route", ...at, route: routeToDelete(r, byIndex) });
  return gone.reverse().concat(changes, sysctls);
}

/**
 * A node's live state indexed and its own changes (addresses, routes,
 * sysctls) planned as soon as its read arrives, while the other nodes are
 * still being read: diff then has only what needs every node left to do.
 */
export interface EarlyPlan {
  live: LiveNamespace;
  state: NodeState;
  /** nodeChanges as if none of its links were made again. */
  own: Change[];
  /** The sysctls that plan needed and were not read: read them into `live.sysctls` and plan again. */
  asks: string[];
}

function planEarly(node: TopologyNode, live: LiveNamespace): EarlyPlan {
  const state = indexLive(node, live);
  const asks = new Set<string>();
  const own = nodeChanges(state, NONE_RECREATED, asks);
  return { live, state, own, asks: [...asks] };
}

/** What readLive read of the kernel: everything diff plans from. */
export interface LiveRead {
  /** Each node's namespace, by node name. */
  lives: ReadonlyMap<string, LiveNamespace>;
  /** The topology's namespaces whose node the file no longer has. */
  stale: readonly { netns: string; node: string }[];
  /** Host links an apply of the topology made and was killed before it moved them into their node. */
  strays: readonly Link[];
  /** The host's links by name, with their index (a vxlan's or macvlan's parent is one). */
  hostLinks: ReadonlyMap<string, number>;
  /** The host's links as one dump lists them: what a lab's new vxlan or macvlan may clash with (host-clash.ts). */
  hostDump: readonly Link[];
  /** The MTU of each host link hostLinks names (a macvlan may not be larger than its parent). */
  hostMtus: ReadonlyMap<string, number>;
  /** Which exec commands ran; undefined: none is kept (see exec-plan.ts). */
  record: ExecRecord | undefined;
  /**
   * What each running node's nsids name (labNamespaceIds: a lab's namespace, the host, or outside the lab); a node
   * without an entry was not told, and its links' far ends and origins are judged by what they report alone.
   */
  peers: PeerNamespaces;
  /** What readLive planned of each node as it came (apply re-plans from the same reads); absent: planned by diff. */
  early?: ReadonlyMap<string, EarlyPlan>;
}

/**
 * Plans from already-read live state. Every read is required (but `early`, an optimisation): a forgotten one would
 * plan against nothing, as if the kernel had none of it.
 */
export function diff(topology: Topology, read: LiveRead): Change[] {
  const { lives, stale, strays, hostLinks, record, peers, early = NOTHING_EARLY } = read;
  const conflicts: { node: string; netns: string; reason: string }[] = [];
  const changes: Change[] = [];
  const states = new Map<string, NodeState>();
  for (const node of topology.nodes) {
    const live = lives.get(node.name) as LiveNamespace;
    if (live.state === "foreign") conflicts.push({ node: node.name, netns: node.netns, reason: "exists and is not this topology's" });
    else if (live.state === "owned" && !isNodeOf(live, topology.name, node.name)) {
      conflicts.push({
        node: node.name,
        netns: node.netns,
        reason: `belongs to node ${live.owner?.node} of topology ${live.owner?.topology}`,
      });
    }
    if (live.state === "missing") {
      changes.push({ op: "create", object: "netns", node: node.name, netns: node.netns });
    }
    const planned = early.get(node.name);
    states.set(node.name, planned?.live === live ? planned.state : indexLive(node, live));
  }
  if (conflicts.length > 0) throw new TopologyConflictError(topology.name, conflicts);
  for (const s of stale) changes.push({ op: "delete", object: "netns", node: s.node, netns: s.netns });
  for (const l of strays) changes.push({ op: "delete", object: "link", kind: l.kind, node: "", netns: HOST, name: l.name });
  const links = linkChanges(topology, states, hostLinks, peers);
  changes.push(...links);
  const recreated = new Map<string, Set<string>>();
  for (const c of links) {
    if (c.op === "delete" && c.object === "link") {
      const set = recreated.get(c.node) ?? new Set<string>();
      set.add(c.name);
      recreated.set(c.node, set);
    }
  }
  for (const s of states.values()) {
    const again = recreated.get(s.node.name);
    const planned = early.get(s.node.name);
    changes.push(...(again === undefined && planned?.state === s ? planned.own : nodeChanges(s, again ?? NONE_RECREATED)));
  }
  for (const node of topology.nodes) {
    const live = lives.get(node.name) as LiveNamespace;
    changes.push(...execChanges(node, live, record?.get(node.name)));
    changes.push(...processChanges(node, live));
  }
  changes.push(...leftoverProcesses(topology, stale));
  return changes;
}

/**
 * Reads each node's namespace and finds the topology's namespaces whose node the file no longer has; `idsOf`: the
 * entries whose namespace id is read too (LiveNamespace.id), for apply's record (ns-record.ts); `everyNode`: `peers`
 * tells every running node's nsids, not only those the plan judges by (see lab-ids.ts).
 */
export async function readLive(
  topology: Topology,
  pool: Pool,
  idsOf: ReadonlySet<string> = new Set(),
  { everyNode = false } = {},
): Promise<LiveRead> {
  const ids = new EarlyIds(topology, everyNode);
  try {
    return await readAll(topology, pool, idsOf, ids);
  } finally {
    // Reads that failed leave its socket open otherwise.
    ids.close();
  }
}

/** readLive's reads, each node planned and its nsid asked about (`ids`) as its read comes. */
async function readAll(topology: Topology, pool: Pool, idsOf: ReadonlySet<string>, ids: EarlyIds): Promise<LiveRead> {
  const present = namesInMountDir();
  const early = new Map<string, EarlyPlan>();
  const [lives, owned, host] = await Promise.all([
    Promise.all(
      topology.nodes.map(async (n) => {
        const live = await readNamespace(pool, n.netns, present, Object.keys(n.sysctls), idsOf.has(n.netns));
        let planned = planEarly(n, live);
        if (planned.asks.length > 0) {
          Object.assign(live.sysctls, await readSysctls(pool, n.netns, planned.asks));
          planned = planEarly(n, live);
        }
        early.set(n.name, planned);
        ids.arrived(n.name, live);
        return [n.name, live] as const;
      }),
    ),
    // The file's own namespaces are read above; only the others can be nodes the file no longer has.
    ownedNamespaces(pool, topology.name, new Set(topology.nodes.map((n) => n.netns)), present),
    readHostLinks(pool, topology),
  ]);
  const byNode = new Map(lives);
  findProcesses(topology.name, byNode);
  // The file's own namespaces were skipped: one found is a node the file no longer has, unless it is a second name for a node's
  // namespace (ip netns attach). Telling them apart costs a stat per node, so it is done only when any was found.
  const nodeInodes = new Set(
    owned.length === 0 ? [] : topology.nodes.flatMap((n) => namespaceInode(`${DEFAULT_NETNS_DIR}/${n.netns}`) ?? []),
  );
  const stale = owned.filter((o) => !nodeInodes.has(namespaceInode(`${DEFAULT_NETNS_DIR}/${o.netns}`) ?? -1));
  return {
    lives: byNode,
    stale,
    strays: host.strays,
    hostLinks: host.names,
    hostDump: host.links,
    hostMtus: host.mtus,
    early,
    record: readRecord(recordPath(topology.name)),
    peers: await ids.finish(new Map(lives.filter(([node, live]) => isNodeOf(live, topology.name, node)))),
  };
}

/** Programs to start (not running, running as something else now, or not right: see LabProcess) and to stop (gone from the file, changed, or not right). */
function processChanges(node: TopologyNode, live: LiveNamespace): Change[] {
  if (node.processes.length === 0 && live.processes.length === 0) return [];
  const at = { node: node.name, netns: node.netns };
  const changes: Change[] = [];
  const running = new Map(live.processes.map((p) => [p.name, p]));
  const wanted = new Set(node.processes.map((p) => p.name));
  for (const p of live.processes) {
    const want = node.processes.find((w) => w.name === p.name);
    if (!wanted.has(p.name) || (want && digestOf(want) !== p.digest) || p.phase !== "running")
      changes.push({ op: "delete", object: "process", ...at, name: p.name, pids: p.pids });
  }
  for (const p of node.processes) {
    const have = running.get(p.name);
    if (!have || have.digest !== digestOf(p) || have.phase !== "running")
      changes.push({ op: "create", object: "process", ...at, process: p });
  }
  return changes;
}

/**
 * A vxlan or macvlan is made from the host namespace, on a parent looked up there: one the host does not have would
 * fail apply part-way, its namespaces and veths made, so it is refused with the plan, before any change. `refused`:
 * apply met it.
 */
export function assertHostParents(
  topology: string,
  changes: readonly Change[],
  hostLinks: ReadonlyMap<string, number>,
  refused = false,
): void {
  const missing = changes.flatMap((c) => {
    if (!createsLink(c, "vxlan", "macvlan")) return [];
    const parent = c.kind === "vxlan" ? c.vxlan?.parent : c.macvlan?.parent;
    return parent === undefined || hostLinks.has(parent) ? [] : [`  node ${c.node}: ${c.kind} ${c.name} on host link "${parent}"`];
  });
  if (missing.length === 0) return;
  const unchanged = refused ? "; nothing was changed" : "";
  throw new NotFoundError(
    "link",
    `topology ${topology} needs links that the host namespace (the one neslink runs in) does not have${unchanged}:\n${missing.join("\n")}`,
  );
}

/**
 * The changes that would make the kernel match `topology`, read from the kernel now. What an apply or destroy of it
 * half made is not planned from: one that held its lock while the kernel was read throws TopologyLockedError.
 */
export async function plan(given: Topology, options: PlanOptions = {}): Promise<Plan> {
  const topology = checkTopology("topology", given);
  const { pool, signal } = topologyOptions(options, ["pool", "signal"]) as PlanOptions;
  const stopped = () => new AbortedError(new Error(`no plan of ${topology.name} was made`));
  if (signal?.aborted) throw stopped();
  const mark = unlockedBefore(topology.name);
  let read: LiveRead;
  try {
    read = await untilAborted(readLive(topology, pool ?? defaultPool()), signal, stopped);
  } catch (err) {
    // A read that failed while an apply or destroy changed the lab: that is what the caller needs to hear.
    if (!signal?.aborted) unlockedSince(topology.name, mark);
    throw err;
  }
  unlockedSince(topology.name, mark);
  const changes = diff(topology, read);
  assertHostParents(topology.name, changes, read.hostLinks);
  assertParentMtus(given, topology, changes, read.hostMtus);
  assertNoHostClashes(given, topology, changes, read);
  await untilAborted(assertSysctlsTaken(pool ?? defaultPool(), given, topology, changes), signal, stopped);
  return { topology: topology.name, changes, summary: summarize(changes) };
}
