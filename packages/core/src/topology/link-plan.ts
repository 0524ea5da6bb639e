/**
 * The link part of a plan: each node's interfaces against its live links —
 * bridges, vxlans and macvlans to make, veth pairs to make (from the end with
 * more links, so a hub's go out pipelined), links to delete (gone from the
 * file, of another kind, or half a pair), and settings to change in place.
 */
import type { Link } from "@neslink/codec-wasm";
import type { Change } from "./changes.js";
import type { LiveNamespace } from "./live.js";
import type { Topology, TopologyInterface, TopologyNode } from "./model.js";

/** Link fields to change so that `have` (absent: being created, with `made` already set by its creation) matches `want`. */
function linkUpdate(
  node: TopologyNode,
  want: TopologyInterface,
  have: Link | undefined,
  made: Partial<TopologyInterface>,
  byIndex: ReadonlyMap<number, string>,
): Change | undefined {
  type Fields = Extract<Change, { kind: "link"; op: "update" }>["set"];
  const now: Required<{ [K in keyof Fields]: Fields[K] | null }> = {
    up: have ? have.up : (made.up ?? false),
    mtu: have ? have.mtu : (made.mtu ?? null),
    mac: have ? have.mac : (made.mac ?? null),
    master: have ? (have.masterIndex === null ? null : (byIndex.get(have.masterIndex) ?? null)) : (made.master ?? null),
  };
  // MTU and MAC are the kernel's to choose unless the file says; no master in the file means none.
  const target: Fields = { up: want.up, mtu: want.mtu, mac: want.mac, master: want.master ?? null };
  const set: Record<string, unknown> = {};
  const from: Record<string, unknown> = {};
  for (const field of ["up", "mtu", "mac", "master"] as const) {
    if (target[field] === undefined || target[field] === now[field]) continue;
    set[field] = target[field];
    from[field] = have ? now[field] : undefined;
  }
  if (Object.keys(set).length === 0) return undefined;
  return { op: "update", kind: "link", node: node.name, netns: node.netns, name: want.name, set: set as Fields, from };
}

export interface NodeState {
  node: TopologyNode;
  live: LiveNamespace;
  links: Map<string, Link>;
  byIndex: Map<number, string>;
}

export function indexLive(node: TopologyNode, live: LiveNamespace): NodeState {
  const links = new Map(live.links.filter((l) => l.name !== "lo").map((l) => [l.name, l]));
  return { node, live, links, byIndex: new Map(live.links.map((l) => [l.index, l.name])) };
}

/** Whether a live link can stay as the interface the file describes (same kind; a veth's peer is checked by miswiredPairs). */
function sameKind(want: TopologyInterface, have: Link): boolean {
  return have.kind === want.kind;
}

type TopologyLink = Topology["links"][number];
type Endpoint = TopologyLink["endpoints"][number];

/** What one namespace's veths say of their peers' namespaces: the nsid each shows, each nsid's namespace, the pairs seen under each nsid. */
interface SeenNsids {
  byPeer: Map<string, number>;
  byNsid: Map<number, string>;
  links: Map<number, Set<TopologyLink>>;
}

/**
 * The veth pairs of the file whose two live ends are not each other's peer
 * (ends swapped or moved by hand): the kernel gives each end its peer's
 * index (IFLA_LINK) and, when the peer is in another namespace, that
 * namespace's nsid as this one sees it (IFLA_LINK_NETNSID). Indexes tell
 * apart the links of one namespace; nsids, which namespace: all of a node's
 * veths to one node must show one nsid, and veths to different nodes
 * different ones. Read from the dump plan makes anyway: no request more.
 */
function miswiredPairs(topology: Topology, states: ReadonlyMap<string, NodeState>): Set<TopologyLink> {
  const live = (e: Endpoint) => (states.get(e.node) as NodeState).links.get(e.interface);
  const netnsOf = (e: Endpoint) => (states.get(e.node) as NodeState).node.netns;
  const wrong = new Set<TopologyLink>();
  // Per namespace: the nsid each peer namespace shows, and the peer namespace each nsid stands for.
  const nsids = new Map<string, SeenNsids>();
  for (const link of topology.links) {
    const [a, b] = link.endpoints;
    const [la, lb] = [live(a), live(b)];
    if (la?.kind !== "veth" || lb?.kind !== "veth") continue;
    const together = netnsOf(a) === netnsOf(b);
    const pointsAt = (from: Link, to: Link) => from.parentIndex === to.index && (from.linkNetnsid === null) === together;
    if (!pointsAt(la, lb) || !pointsAt(lb, la)) {
      wrong.add(link);
      continue;
    }
    if (together) continue;
    for (const [end, other, nsid] of [
      [a, b, la.linkNetnsid],
      [b, a, lb.linkNetnsid],
    ] as const) {
      const own = nsids.get(netnsOf(end)) ?? { byPeer: new Map(), byNsid: new Map(), links: new Map() };
      nsids.set(netnsOf(end), own);
      const peer = netnsOf(other);
      const id = nsid as number;
      const users = own.links.get(id) ?? new Set();
      own.links.set(id, users.add(link));
      const before = own.byPeer.get(peer) ?? id;
      // One nsid for two peer namespaces, or two for one: which of the veths is the wrong one is not known, so all of them are.
      if (before !== id || (own.byNsid.get(id) ?? peer) !== peer)
        for (const l of [...(own.links.get(before) ?? []), ...users]) wrong.add(l);
      own.byPeer.set(peer, id);
      own.byNsid.set(id, peer);
    }
  }
  return wrong;
}

/** Changes for the links (and their ends' settings), given each node's live state. */
export function linkChanges(topology: Topology, states: ReadonlyMap<string, NodeState>): Change[] {
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
  const miswired = miswiredPairs(topology, states);
  for (const link of topology.links) {
    const [a, b] = link.endpoints;
    const sa = states.get(a.node) as NodeState;
    const sb = states.get(b.node) as NodeState;
    const hasA = (kept.get(a.node) as Set<string>).has(a.interface);
    const hasB = (kept.get(b.node) as Set<string>).has(b.interface);
    if (hasA && hasB && !miswired.has(link)) continue;
    // Half a pair, or ends that are not each other's peer: deleting the ends there are and making both again is the only sure way.
    for (const [has, s, end, other] of [
      [hasA, sa, a, b],
      [hasB, sb, b, a],
    ] as const) {
      if (has) {
        const reason = miswired.has(link) ? `its peer is not ${other.node}:${other.interface}` : undefined;
        deletes.push({
          op: "delete",
          kind: "link",
          node: s.node.name,
          netns: s.node.netns,
          name: end.interface,
          ...(reason && { reason }),
        });
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
