/**
 * topology.plan: the topology file against the kernel's live state, as the
 * list of changes that would make the kernel match it. It reads and never
 * writes. A namespace the topology would need but does not own (another
 * topology's, or anything unmarked that is not empty) is a conflict, refused
 * before any change is made.
 */
import type { Address, Link, Route } from "@neslink/codec-wasm";
import { NeslinkError } from "../errors.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { AF_INET, AF_INET6, cidr, familyOf } from "../validate/net.js";
import { type Change, type Summary, summarize } from "./changes.js";
import { HOST, type LiveNamespace, namesInMountDir, ownedNamespaces, readNamespace, strayHostLinks } from "./live.js";
import type { Topology, TopologyInterface, TopologyNode, TopologyRoute } from "./model.js";
import { namespaceInode, pidsByNamespace } from "./processes.js";
import { digestOf, labProcesses } from "./run.js";

export interface Plan {
  topology: string;
  changes: Change[];
  summary: Summary;
}

export interface PlanOptions {
  /** The pool the reads run on (default: core's default pool). */
  pool?: Pool;
}

/** The namespaces the topology needs are not all its to use. */
export class TopologyConflictError extends NeslinkError {
  readonly conflicts: { node: string; netns: string; reason: string }[];
  constructor(topology: string, conflicts: { node: string; netns: string; reason: string }[]) {
    const lines = conflicts.map((c) => `  node ${c.node}: namespace ${c.netns} ${c.reason}`);
    super("ERR_TOPOLOGY_CONFLICT", `topology ${topology} cannot use these namespaces; nothing was changed:\n${lines.join("\n")}`);
    this.conflicts = conflicts;
  }
  override toJSON() {
    return { ...super.toJSON(), conflicts: this.conflicts };
  }
}

const RTPROT_BOOT = 3;
const RTN_UNICAST = 1;
const RT_TABLE_MAIN = 254;
/** Addresses the kernel gives by itself (link-local, loopback) have a scope other than universe. */
const RT_SCOPE_UNIVERSE = 0;
const DISABLE_IPV6 = ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"];

/** IPv6 text in the kernel's (RFC 5952) form, so "fd00:0002::1" and "fd00:2::1" compare equal. */
export function canonicalIp(address: string): string {
  return familyOf("address", address) === AF_INET6 ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

export function canonicalCidr(text: string): string {
  const { address, prefixLen } = cidr("address", text);
  return `${canonicalIp(address)}/${prefixLen}`;
}

/**
 * Whether IPv6 is on in a namespace, seen without entering it: its loopback
 * (always up in a lab's namespace) has ::1 exactly while IPv6 is on there.
 */
function ipv6On(live: LiveNamespace): boolean {
  const lo = live.links.find((l) => l.name === "lo");
  return live.addresses.some((a) => a.index === lo?.index && a.family === AF_INET6);
}

/**
 * The sysctl changes a node needs: the file's own sysctls that differ, and
 * disable_ipv6 where the node is ipv6: false and IPv6 is on (a new
 * namespace gets them before any link exists).
 */
function sysctlChanges(node: TopologyNode, live: LiveNamespace): Change[] {
  const at = { node: node.name, netns: node.netns };
  const fresh = live.state !== "owned";
  const changes: Change[] = [];
  if (!node.ipv6 && (fresh || ipv6On(live))) {
    for (const name of DISABLE_IPV6) changes.push({ op: "update", kind: "sysctl", ...at, name, from: fresh ? null : "0", to: "1" });
  }
  for (const [name, to] of Object.entries(node.sysctls)) {
    const from = fresh ? null : (live.sysctls[name] ?? null);
    if (from !== to) changes.push({ op: "update", kind: "sysctl", ...at, name, from, to });
  }
  return changes;
}

function addressText(a: Address): string {
  return `${canonicalIp((a.local ?? a.address) as string)}/${a.prefixLen}`;
}

/** A route's identity for comparison; fields the file leaves out are left out of the comparison too. */
function routeMatches(want: TopologyRoute, have: Route, names: ReadonlyMap<number, string>): boolean {
  const to = want.to === "default" ? undefined : cidr("to", want.to);
  const family = to?.family ?? (want.via !== undefined ? familyOf("via", want.via) : AF_INET);
  if (have.family !== family || have.table !== (want.table ?? RT_TABLE_MAIN)) return false;
  if ((to ? `${canonicalIp(to.address)}/${to.prefixLen}` : "default") !== (have.dst === null ? "default" : `${have.dst}/${have.dstLen}`)) {
    return false;
  }
  if (want.via !== undefined && (have.gateway === null || canonicalIp(want.via) !== have.gateway)) return false;
  if (want.via === undefined && have.gateway !== null) return false;
  if (want.dev !== undefined && names.get(have.oifIndex ?? -1) !== want.dev) return false;
  return want.metric === undefined || have.metric === want.metric;
}

/** The routes neslink manages in a namespace: unicast routes added by a user or a tool (RTPROT_BOOT), not the kernel's own. */
function managedRoutes(live: LiveNamespace): Route[] {
  return live.routes.filter((r) => r.protocol === RTPROT_BOOT && r.type === RTN_UNICAST);
}

function routeOf(r: Route, names: ReadonlyMap<number, string>): TopologyRoute {
  return {
    to: r.dst === null ? "default" : `${r.dst}/${r.dstLen}`,
    ...(r.gateway !== null && { via: r.gateway }),
    ...(r.gateway === null && r.oifIndex !== null && { dev: names.get(r.oifIndex) ?? `#${r.oifIndex}` }),
    ...(r.metric !== null && r.family === AF_INET && { metric: r.metric }),
    ...(r.table !== RT_TABLE_MAIN && { table: r.table }),
  };
}

/** Link fields to change so that `have` (absent: being created, with `made` already set by its creation) matches `want`. */
function linkUpdate(
  node: TopologyNode,
  want: TopologyInterface,
  have: Link | undefined,
  made: Partial<TopologyInterface>,
  byIndex: ReadonlyMap<number, string>,
): Change | undefined {
  const set: Extract<Change, { kind: "link"; op: "update" }>["set"] = {};
  const from: Extract<Change, { kind: "link"; op: "update" }>["from"] = {};
  const now = {
    up: have ? have.up : (made.up ?? false),
    mtu: have ? have.mtu : (made.mtu ?? null),
    mac: have ? have.mac : (made.mac ?? null),
    master: have ? (have.masterIndex === null ? null : (byIndex.get(have.masterIndex) ?? null)) : (made.master ?? null),
  };
  if (now.up !== want.up) Object.assign(set, { up: want.up }) && Object.assign(from, { up: have ? now.up : undefined });
  if (want.mtu !== undefined && now.mtu !== want.mtu)
    Object.assign(set, { mtu: want.mtu }) && Object.assign(from, { mtu: have ? now.mtu : undefined });
  if (want.mac !== undefined && now.mac !== want.mac)
    Object.assign(set, { mac: want.mac }) && Object.assign(from, { mac: have ? now.mac : undefined });
  if ((want.master ?? null) !== now.master) {
    Object.assign(set, { master: want.master ?? null });
    Object.assign(from, { master: have ? now.master : undefined });
  }
  if (Object.keys(set).length === 0) return undefined;
  return { op: "update", kind: "link", node: node.name, netns: node.netns, name: want.name, set, from };
}

interface NodeState {
  node: TopologyNode;
  live: LiveNamespace;
  links: Map<string, Link>;
  byIndex: Map<number, string>;
}

function indexLive(node: TopologyNode, live: LiveNamespace): NodeState {
  const links = new Map(live.links.filter((l) => l.name !== "lo").map((l) => [l.name, l]));
  return { node, live, links, byIndex: new Map(live.links.map((l) => [l.index, l.name])) };
}

/** Whether a live link can stay as the interface the file describes (same kind; a veth is checked by its name on both ends). */
function sameKind(want: TopologyInterface, have: Link): boolean {
  return have.kind === want.kind;
}

/** Changes for the links (and their ends' settings), given each node's live state. */
function linkChanges(topology: Topology, states: ReadonlyMap<string, NodeState>): Change[] {
  const creates: Change[] = [];
  const deletes: Change[] = [];
  const updates: Change[] = [];
  const kept = new Map<string, Set<string>>([...states.keys()].map((n) => [n, new Set<string>()]));
  const made = new Map<string, Partial<TopologyInterface>>();
  const keyOf = (node: string, name: string) => `${node}\0${name}`;

  for (const { node, links } of states.values()) {
    for (const want of node.interfaces) {
      const have = links.get(want.name);
      if (have && !sameKind(want, have)) {
        deletes.push({ op: "delete", kind: "link", node: node.name, netns: node.netns, name: want.name });
      } else if (have) (kept.get(node.name) as Set<string>).add(want.name);
    }
  }
  for (const link of topology.links) {
    const [a, b] = link.endpoints;
    const sa = states.get(a.node) as NodeState;
    const sb = states.get(b.node) as NodeState;
    const hasA = (kept.get(a.node) as Set<string>).has(a.interface);
    const hasB = (kept.get(b.node) as Set<string>).has(b.interface);
    if (hasA && hasB) continue;
    // Half a pair: its other end is gone or elsewhere; deleting this end and making both again is the only sure way.
    for (const [has, s, end] of [
      [hasA, sa, a],
      [hasB, sb, b],
    ] as const) {
      if (has) {
        deletes.push({ op: "delete", kind: "link", node: s.node.name, netns: s.node.netns, name: end.interface });
        (kept.get(end.node) as Set<string>).delete(end.interface);
      }
    }
    // The end with more links creates the pair, so a hub's veths go out pipelined in one task.
    const [creator, other] = sb.node.interfaces.length > sa.node.interfaces.length ? [b, a] : [a, b];
    const cs = states.get(creator.node) as NodeState;
    const os = states.get(other.node) as NodeState;
    const cw = cs.node.interfaces.find((i) => i.name === creator.interface) as TopologyInterface;
    const ow = os.node.interfaces.find((i) => i.name === other.interface) as TopologyInterface;
    creates.push({
      op: "create",
      kind: "veth",
      node: cs.node.name,
      netns: cs.node.netns,
      name: cw.name,
      up: cw.up,
      ...(cw.mtu !== undefined && { mtu: cw.mtu }),
      ...(cw.mac !== undefined && { mac: cw.mac }),
      ...(cw.master !== undefined && { master: cw.master }),
      peer: {
        node: os.node.name,
        netns: os.node.netns,
        name: ow.name,
        ...(ow.mtu !== undefined && { mtu: ow.mtu }),
        ...(ow.mac !== undefined && { mac: ow.mac }),
      },
    });
    made.set(keyOf(cs.node.name, cw.name), { up: cw.up, mtu: cw.mtu, mac: cw.mac, master: cw.master });
    made.set(keyOf(os.node.name, ow.name), { up: false, mtu: ow.mtu, mac: ow.mac });
  }
  for (const { node, links, byIndex } of states.values()) {
    const keep = kept.get(node.name) as Set<string>;
    for (const want of node.interfaces) {
      if (want.kind === "bridge" && !keep.has(want.name)) {
        creates.unshift({
          op: "create",
          kind: "bridge",
          node: node.name,
          netns: node.netns,
          name: want.name,
          up: want.up,
          ...(want.mtu !== undefined && { mtu: want.mtu }),
          ...(want.mac !== undefined && { mac: want.mac }),
        });
        made.set(keyOf(node.name, want.name), { up: want.up, mtu: want.mtu, mac: want.mac });
      }
      if ((want.kind === "vxlan" || want.kind === "macvlan") && !keep.has(want.name)) {
        const { name, kind, mtu, mac, vxlan, macvlan } = want;
        creates.push({
          op: "create",
          kind,
          node: node.name,
          netns: node.netns,
          name,
          ...(mtu && { mtu }),
          ...(mac && { mac }),
          ...(vxlan && { vxlan }),
          ...(macvlan && { macvlan }),
        });
        made.set(keyOf(node.name, want.name), { up: false, mtu, mac });
      }
      const have = keep.has(want.name) ? links.get(want.name) : undefined;
      const update = linkUpdate(node, want, have, made.get(keyOf(node.name, want.name)) ?? {}, byIndex);
      if (update) updates.push(update);
    }
    const wanted = new Set(node.interfaces.map((i) => i.name));
    for (const name of links.keys()) {
      if (!wanted.has(name)) deletes.push({ op: "delete", kind: "link", node: node.name, netns: node.netns, name });
    }
  }
  return [...deletes, ...creates, ...updates];
}

/** Address, route and sysctl changes of one node. `fresh`: its links are all being made now, so nothing is there yet. */
function nodeChanges(s: NodeState, recreated: ReadonlySet<string>): Change[] {
  const { node, live, links, byIndex } = s;
  const at = { node: node.name, netns: node.netns };
  const changes: Change[] = [];
  const lo = live.links.find((l) => l.name === "lo");
  for (const iface of [...node.interfaces, { name: "lo", addresses: node.loopback } as Pick<TopologyInterface, "name" | "addresses">]) {
    const link = iface.name === "lo" ? lo : recreated.has(iface.name) ? undefined : links.get(iface.name);
    const present = link ? live.addresses.filter((a) => a.index === link.index) : [];
    const have = new Map(present.map((a) => [addressText(a), a]));
    const want = new Set(iface.addresses.map(canonicalCidr));
    for (const address of want)
      if (!have.has(address)) changes.push({ op: "create", kind: "address", ...at, interface: iface.name, address });
    for (const [address, a] of have) {
      if (!want.has(address) && a.scope === RT_SCOPE_UNIVERSE)
        changes.push({ op: "delete", kind: "address", ...at, interface: iface.name, address });
    }
  }
  const routes = managedRoutes(live);
  const matched = new Set<Route>();
  for (const want of node.routes) {
    const have = routes.find((r) => !matched.has(r) && routeMatches(want, r, byIndex));
    if (have && !(want.dev !== undefined && recreated.has(want.dev))) matched.add(have);
    else changes.push({ op: "create", kind: "route", ...at, route: want });
  }
  for (const r of routes) if (!matched.has(r)) changes.unshift({ op: "delete", kind: "route", ...at, route: routeOf(r, byIndex) });
  changes.push(...sysctlChanges(node, live));
  return changes;
}

/** Plans from already-read live state (apply re-plans from the same reads). */
export function diff(
  topology: Topology,
  lives: ReadonlyMap<string, LiveNamespace>,
  stale: readonly { netns: string; node: string }[],
  strays: readonly Link[] = [],
): Change[] {
  const conflicts: { node: string; netns: string; reason: string }[] = [];
  const changes: Change[] = [];
  const states = new Map<string, NodeState>();
  for (const node of topology.nodes) {
    const live = lives.get(node.name) as LiveNamespace;
    const mine = live.owner?.topology === topology.name && live.owner.node === node.name;
    if (live.state === "foreign") conflicts.push({ node: node.name, netns: node.netns, reason: "exists and is not this topology's" });
    else if (live.state === "owned" && !mine) {
      conflicts.push({
        node: node.name,
        netns: node.netns,
        reason: `belongs to node ${live.owner?.node} of topology ${live.owner?.topology}`,
      });
    }
    if (live.state === "missing" || live.state === "pristine") {
      changes.push({ op: "create", kind: "namespace", node: node.name, netns: node.netns, adopt: live.state === "pristine" });
    }
    states.set(node.name, indexLive(node, live));
  }
  if (conflicts.length > 0) throw new TopologyConflictError(topology.name, conflicts);
  for (const s of stale) changes.push({ op: "delete", kind: "namespace", node: s.node, netns: s.netns });
  for (const l of strays) changes.push({ op: "delete", kind: "link", node: "", netns: HOST, name: l.name });
  const links = linkChanges(topology, states);
  changes.push(...links);
  const recreated = new Map<string, Set<string>>();
  for (const c of links) {
    if (c.op === "delete" && c.kind === "link") {
      const set = recreated.get(c.node) ?? new Set<string>();
      set.add(c.name);
      recreated.set(c.node, set);
    }
  }
  for (const s of states.values()) changes.push(...nodeChanges(s, recreated.get(s.node.name) ?? new Set()));
  for (const node of topology.nodes) {
    const live = lives.get(node.name) as LiveNamespace;
    if (live.state !== "owned")
      for (const argv of node.exec) changes.push({ op: "create", kind: "exec", node: node.name, netns: node.netns, argv });
    changes.push(...processChanges(node, live));
  }
  return changes;
}

/** Fills in each owned namespace's lab processes, from one pass over /proc. */
function findProcesses(lives: Iterable<LiveNamespace>): void {
  const inodes = new Map<number, LiveNamespace>();
  for (const live of lives) {
    const inode = live.state === "owned" ? namespaceInode(`${DEFAULT_NETNS_DIR}/${live.netns}`) : undefined;
    if (inode !== undefined) inodes.set(inode, live);
  }
  for (const [inode, pids] of pidsByNamespace(new Set(inodes.keys()))) (inodes.get(inode) as LiveNamespace).processes = labProcesses(pids);
}

/** Reads each node's namespace and finds the topology's namespaces whose node the file no longer has. */
export async function readLive(topology: Topology, pool: Pool) {
  const present = namesInMountDir();
  const [lives, owned, strays] = await Promise.all([
    Promise.all(topology.nodes.map(async (n) => [n.name, await readNamespace(pool, n.netns, Object.keys(n.sysctls), present)] as const)),
    // The file's own namespaces are read above; only the others can be nodes the file no longer has.
    ownedNamespaces(pool, topology.name, new Set(topology.nodes.map((n) => n.netns))),
    strayHostLinks(pool, topology.name),
  ]);
  const byNode = new Map(lives);
  findProcesses(byNode.values());
  const current = new Set(topology.nodes.map((n) => n.netns));
  return { lives: byNode, stale: owned.filter((o) => !current.has(o.netns)), strays };
}

/** Programs to start (not running, or running as something else now) and to stop (gone from the file). */
function processChanges(node: TopologyNode, live: LiveNamespace): Change[] {
  const at = { node: node.name, netns: node.netns };
  const changes: Change[] = [];
  const running = new Map(live.processes.map((p) => [p.name, p]));
  const wanted = new Set(node.processes.map((p) => p.name));
  for (const p of live.processes) {
    const want = node.processes.find((w) => w.name === p.name);
    if (!wanted.has(p.name) || (want && digestOf(want) !== p.digest))
      changes.push({ op: "delete", kind: "process", ...at, name: p.name, pids: [p.pid] });
  }
  for (const p of node.processes) {
    const have = running.get(p.name);
    if (!have || have.digest !== digestOf(p)) changes.push({ op: "create", kind: "process", ...at, process: p });
  }
  return changes;
}

/** The changes that would make the kernel match `topology`, read from the kernel now. */
export async function plan(topology: Topology, options: PlanOptions = {}): Promise<Plan> {
  const { lives, stale, strays } = await readLive(topology, options.pool ?? defaultPool());
  const changes = diff(topology, lives, stale, strays);
  return { topology: topology.name, changes, summary: summarize(changes) };
}
