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

/** Whether a live link can stay as the interface the file describes (same kind; a veth is checked by its name on both ends). */
function sameKind(want: TopologyInterface, have: Link): boolean {
  return have.kind === want.kind;
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
