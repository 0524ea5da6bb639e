/**
 * The link part of a plan: each node's interfaces against its live links —
 * bridges, vxlans and macvlans to make, veth pairs to make (from the end with
 * more links, so a hub's go out pipelined), links to delete (gone from the
 * file, of another kind, half a pair, or a vxlan or macvlan whose attributes
 * differ: made again), and settings to change in place.
 */
import type { Address, Link } from "@neslink/codec-wasm";
import type { Change, ChangeOf } from "./changes.js";
import { hostMadeDiffers } from "./host-made.js";
import { HOST, type LiveNamespace } from "./live.js";
import type { Topology, TopologyInterface, TopologyNode } from "./model.js";
import type { PeerNamespaces } from "./peer-namespaces.js";

type LinkFields = ChangeOf<"link", "update">["set"];
const LINK_FIELDS = ["up", "mtu", "mac", "master"] as const;

/** A field of a link as it is now: live (`have`), or as its creation sets it (`made`). */
function fieldNow(
  field: (typeof LINK_FIELDS)[number],
  have: Link | undefined,
  made: Partial<TopologyInterface>,
  byIndex: ReadonlyMap<number, string>,
): unknown {
  if (field === "up") return have ? have.up : (made.up ?? false);
  if (field === "master")
    return have ? (have.masterIndex === null ? null : (byIndex.get(have.masterIndex) ?? null)) : (made.master ?? null);
  return have ? have[field] : (made[field] ?? null);
}

/**
 * Link fields to change so that `have` (absent: being created, with `made` already set by its creation) matches `want`.
 * A plan mostly finds nothing to change: objects are made only for a field that differs.
 */
function linkUpdate(
  node: TopologyNode,
  want: TopologyInterface,
  have: Link | undefined,
  made: Partial<TopologyInterface>,
  byIndex: ReadonlyMap<number, string>,
): Change | undefined {
  let differs: { set: Record<string, unknown>; from: Record<string, unknown> } | undefined;
  for (const field of LINK_FIELDS) {
    // MTU and MAC are the kernel's to choose unless the file says; no master in the file means none.
    const target = field === "master" ? (want.master ?? null) : want[field];
    if (target === undefined) continue;
    const now = fieldNow(field, have, made, byIndex);
    if (target === now) continue;
    differs ??= { set: {}, from: {} };
    differs.set[field] = target;
    differs.from[field] = have ? now : undefined;
  }
  if (differs === undefined) return undefined;
  const { set, from } = differs;
  // The link as it is, or the file's kind for one being made.
  const kind = have ? have.kind : want.kind;
  return { op: "update", object: "link", kind, node: node.name, netns: node.netns, name: want.name, set: set as LinkFields, from };
}

export interface NodeState {
  node: TopologyNode;
  live: LiveNamespace;
  /** Its live links by name, lo aside. */
  links: ReadonlyMap<string, Link>;
  lo: Link | undefined;
  byIndex: ReadonlyMap<number, string>;
  /** Its live addresses by link index. */
  addresses: ReadonlyMap<number, Address[]>;
}

/** The indexes of a namespace with no link (one not made yet): shared, where a plan of a new lab made three maps a node. */
const NOTHING_LIVE = { links: new Map(), lo: undefined, byIndex: new Map(), addresses: new Map() } as const;

/** One pass over a node's live links and addresses (a plan of an unchanged lab spends most of its time here and in what uses it). */
export function indexLive(node: TopologyNode, live: LiveNamespace): NodeState {
  if (live.links.length === 0 && live.addresses.length === 0) return { node, live, ...NOTHING_LIVE };
  const links = new Map<string, Link>();
  const byIndex = new Map<number, string>();
  let lo: Link | undefined;
  for (const l of live.links) {
    byIndex.set(l.index, l.name);
    if (l.name === "lo") lo = l;
    else links.set(l.name, l);
  }
  const addresses = new Map<number, Address[]>();
  for (const a of live.addresses) {
    const on = addresses.get(a.index);
    if (on) on.push(a);
    else addresses.set(a.index, [a]);
  }
  return { node, live, links, lo, byIndex, addresses };
}

/**
 * Why a live link cannot stay as the interface the file describes: another kind (no reason given), or a vxlan's or
 * macvlan's attributes or origin (see host-made.ts; `ids`: its node's, as there); false when it can (a veth's peer is
 * checked by miswiredPairs).
 */
function replaced(
  want: TopologyInterface,
  have: Link,
  host: ReadonlyMap<string, number>,
  ids: ReadonlyMap<number, string> | undefined,
): { reason?: string } | false {
  if (have.kind !== want.kind) return {};
  const reason = hostMadeDiffers(want, have, host, ids);
  return reason === undefined ? false : { reason };
}

type TopologyLink = Topology["links"][number];
type Endpoint = TopologyLink["endpoints"][number];

/** A veth end as its namespace sees it: the namespace its peer is in, and the nsid it shows for it. */
interface SeenEnd {
  peer: string;
  nsid: number;
  link: TopologyLink;
}

/** Whether `from` names `to` as its peer: its index, and an nsid exactly when the pair spans two namespaces. */
const pointsAt = (from: Link, to: Link, together: boolean) => from.parentIndex === to.index && (from.linkNetnsid === null) === together;

/** Why each end of a miswired pair is made again, as `endpoints`; an end without one: its peer is not the other end. */
type Reasons = readonly [string | undefined, string | undefined];
const UNTOLD: Reasons = [undefined, undefined];

const notPeer = (other: Endpoint) => `its peer is not ${other.node}:${other.interface}`;

/** Why an end whose peer lives in `far` (a lab's namespace, HOST, or outside: undefined) is not `other`'s, if it is not. */
function farReason(far: string | undefined, other: Endpoint, otherNetns: string): string | undefined {
  if (far === otherNetns) return undefined;
  if (far === undefined) return "its peer is in a namespace outside the lab";
  return far === HOST ? "its peer is in the host namespace" : notPeer(other);
}

/**
 * The veth pairs of the file whose two live ends are not each other's peer
 * (ends swapped or moved by hand), with why: the kernel gives each end its
 * peer's index (IFLA_LINK) and, when the peer is in another namespace, that
 * namespace's nsid as this one sees it (IFLA_LINK_NETNSID). Indexes tell
 * apart the links of one namespace; nsids, which namespace. Where `peers`
 * tells what a node's nsids name, each end must lead to the other's node:
 * indexes of a third namespace's veths can be made to fit. Elsewhere, all
 * of a node's veths to one node must show one nsid, and veths to different
 * nodes different ones, read from the dump plan makes anyway.
 */
function miswiredPairs(topology: Topology, states: ReadonlyMap<string, NodeState>, peers: PeerNamespaces): Map<TopologyLink, Reasons> {
  const live = (e: Endpoint) => (states.get(e.node) as NodeState).links.get(e.interface);
  const netnsOf = (e: Endpoint) => (states.get(e.node) as NodeState).node.netns;
  /** Why `end`'s live link `l`, whose peer is in another namespace, is not `other`'s end; undefined if it is, or not told. */
  const leadsElsewhere = (end: Endpoint, l: Link, other: Endpoint) => {
    const ids = peers.get(netnsOf(end));
    return ids === undefined ? undefined : farReason(ids.get(l.linkNetnsid as number), other, netnsOf(other));
  };
  const wrong = new Map<TopologyLink, Reasons>();
  const ends = new Map<string, SeenEnd[]>();
  const see = (end: Endpoint, other: Endpoint, nsid: number | null, link: TopologyLink) => {
    const seen = { peer: netnsOf(other), nsid: nsid as number, link };
    const list = ends.get(netnsOf(end));
    if (list) list.push(seen);
    else ends.set(netnsOf(end), [seen]);
  };
  for (const link of topology.links) {
    const { 0: a, 1: b } = link.endpoints;
    const la = live(a);
    const lb = live(b);
    if (la?.kind !== "veth" || lb?.kind !== "veth") continue;
    const together = netnsOf(a) === netnsOf(b);
    if (!pointsAt(la, lb, together) || !pointsAt(lb, la, together)) {
      wrong.set(link, UNTOLD);
      continue;
    }
    if (together) continue;
    const reasons = [leadsElsewhere(a, la, b), leadsElsewhere(b, lb, a)] as const;
    if (reasons[0] !== undefined || reasons[1] !== undefined) {
      wrong.set(link, reasons);
      continue;
    }
    see(a, b, la.linkNetnsid, link);
    see(b, a, lb.linkNetnsid, link);
  }
  // A namespace with one veth to elsewhere has no other nsid to disagree with.
  for (const seen of ends.values()) if (seen.length > 1) nsidsDisagree(seen, wrong);
  return wrong;
}

/** Adds to `wrong` the pairs whose ends, all in one namespace, show nsids that disagree (see miswiredPairs). */
function nsidsDisagree(seen: readonly SeenEnd[], wrong: Map<TopologyLink, Reasons>): void {
  // The nsid each peer namespace shows, the peer namespace each nsid stands for, and the pairs seen under each nsid.
  const byPeer = new Map<string, number>();
  const byNsid = new Map<number, string>();
  const links = new Map<number, Set<TopologyLink>>();
  for (const { peer, nsid, link } of seen) {
    const users = links.get(nsid) ?? new Set();
    links.set(nsid, users.add(link));
    const before = byPeer.get(peer) ?? nsid;
    // One nsid for two peer namespaces, or two for one: which of the veths is the wrong one is not known, so all of them are.
    if (before !== nsid || (byNsid.get(nsid) ?? peer) !== peer)
      for (const l of [...(links.get(before) ?? []), ...users]) if (!wrong.has(l)) wrong.set(l, UNTOLD);
    byPeer.set(peer, nsid);
    byNsid.set(nsid, peer);
  }
}

/** What the creation of a link already set: nothing, for a link not being made. */
const NOTHING_MADE: Readonly<Partial<TopologyInterface>> = Object.freeze({});

/** Up to this many interfaces, a node's are searched by name rather than mapped. */
const FEW_INTERFACES = 16;

/**
 * Changes for the links (and their ends' settings), given each node's live state; `host`: the host's links by name,
 * with their index (vxlan and macvlan parents); `peers`: what each node's nsids name (LiveRead.peers).
 */
export function linkChanges(
  topology: Topology,
  states: ReadonlyMap<string, NodeState>,
  host: ReadonlyMap<string, number>,
  peers: PeerNamespaces,
): Change[] {
  const creates: Change[] = [];
  // Bridges go first, last found first (an unshift each, which moved every create made so far).
  const bridges: Change[] = [];
  const deletes: Change[] = [];
  const updates: Change[] = [];
  // Live links of the file's interfaces that are deleted (of another kind, or an end of a pair made again); the others are kept.
  const dropped = new Set<Link>();
  const kept = (s: NodeState, name: string) => {
    const have = s.links.get(name);
    return have !== undefined && !dropped.has(have);
  };
  const made = new Map<string, Partial<TopologyInterface>>();
  const keyOf = (node: string, name: string) => `${node}\0${name}`;
  // A node's interfaces by name, for a node with many: a hub's thousands were searched once per pair (a 60,000-node star
  // spent 15 s there). A node with a few is searched: a map each would cost more.
  const byName = new Map<TopologyNode, Map<string, TopologyInterface>>();
  const interfaceOf = (node: TopologyNode, name: string) => {
    if (node.interfaces.length <= FEW_INTERFACES) return node.interfaces.find((i) => i.name === name) as TopologyInterface;
    let named = byName.get(node);
    if (named === undefined) {
      named = new Map(node.interfaces.map((i) => [i.name, i]));
      byName.set(node, named);
    }
    return named.get(name) as TopologyInterface;
  };

  for (const { node, links } of states.values()) {
    for (const want of node.interfaces) {
      const have = links.get(want.name);
      const replace = have !== undefined && replaced(want, have, host, peers.get(node.netns));
      if (replace) {
        deletes.push({
          op: "delete",
          object: "link",
          kind: (have as Link).kind,
          node: node.name,
          netns: node.netns,
          name: want.name,
          ...replace,
        });
        dropped.add(have as Link);
      }
    }
  }
  const miswired = miswiredPairs(topology, states, peers);
  for (const link of topology.links) {
    const { 0: a, 1: b } = link.endpoints;
    const sa = states.get(a.node) as NodeState;
    const sb = states.get(b.node) as NodeState;
    const hasA = kept(sa, a.interface);
    const hasB = kept(sb, b.interface);
    const reasons = miswired.get(link);
    if (hasA && hasB && reasons === undefined) continue;
    // Half a pair, or ends that are not each other's peer: deleting the ends there are and making both again is the only sure way.
    for (const [has, s, end, other, told] of [
      [hasA, sa, a, b, reasons?.[0]],
      [hasB, sb, b, a, reasons?.[1]],
    ] as const) {
      if (has) {
        const reason = reasons === undefined ? undefined : (told ?? notPeer(other));
        const have = s.links.get(end.interface) as Link;
        deletes.push({
          op: "delete",
          object: "link",
          kind: have.kind,
          node: s.node.name,
          netns: s.node.netns,
          name: end.interface,
          ...(reason && { reason }),
        });
        dropped.add(have);
      }
    }
    // The end with more links creates the pair, so a hub's veths go out pipelined in one task.
    const [creator, other] = sb.node.interfaces.length > sa.node.interfaces.length ? [b, a] : [a, b];
    const cs = states.get(creator.node) as NodeState;
    const os = states.get(other.node) as NodeState;
    const cw = interfaceOf(cs.node, creator.interface);
    const ow = interfaceOf(os.node, other.interface);
    creates.push({
      op: "create",
      object: "link",
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
        up: ow.up,
        ...(ow.mtu !== undefined && { mtu: ow.mtu }),
        ...(ow.mac !== undefined && { mac: ow.mac }),
      },
    });
    made.set(keyOf(cs.node.name, cw.name), { up: cw.up, mtu: cw.mtu, mac: cw.mac, master: cw.master });
    // The far end is up as the file says once the change is done (apply brings it up: see farEndsUp there), so no update follows.
    made.set(keyOf(os.node.name, ow.name), { up: ow.up, mtu: ow.mtu, mac: ow.mac });
  }
  for (const s of states.values()) {
    const { node, links, byIndex } = s;
    let wantedLive = 0;
    for (const want of node.interfaces) {
      if (links.has(want.name)) wantedLive++;
      if (want.kind === "bridge" && !kept(s, want.name)) {
        bridges.push({
          op: "create",
          object: "link",
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
      if ((want.kind === "vxlan" || want.kind === "macvlan") && !kept(s, want.name)) {
        const { name, kind, up, mtu, mac, vxlan, macvlan } = want;
        // Made up, as a bridge or veth is (the kernel opens it in its node), so no update follows for that.
        creates.push({
          op: "create",
          object: "link",
          kind,
          node: node.name,
          netns: node.netns,
          name,
          up,
          ...(mtu && { mtu }),
          ...(mac && { mac }),
          ...(vxlan && { vxlan }),
          ...(macvlan && { macvlan }),
        });
        made.set(keyOf(node.name, want.name), { up, mtu, mac });
      }
      const have = kept(s, want.name) ? links.get(want.name) : undefined;
      const update = linkUpdate(node, want, have, (made.size > 0 && made.get(keyOf(node.name, want.name))) || NOTHING_MADE, byIndex);
      if (update) updates.push(update);
    }
    // Live links the file does not have: there are none when every live link is one of its interfaces.
    if (links.size > wantedLive) {
      const wanted = new Set(node.interfaces.map((i) => i.name));
      for (const [name, have] of links) {
        if (!wanted.has(name)) deletes.push({ op: "delete", object: "link", kind: have.kind, node: node.name, netns: node.netns, name });
      }
    }
  }
  return [...deletes, ...bridges.reverse(), ...creates, ...updates];
}
