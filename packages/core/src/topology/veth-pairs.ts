/**
 * Which link of a lab is the other end of each veth, found from what
 * the kernel tells of each end: the peer's index (IFLA_LINK) and the lab's
 * namespace it lives in. inspect names each end's peer by it, and graph draws
 * its edges from that: the two cannot disagree.
 */
import { groupBy } from "./group-by.js";

/** What a veth end tells of its peer. */
export interface VethEnd {
  index: number;
  kind: string | null;
  /** The peer's index, in the namespace the peer lives in. */
  parentIndex: number | null;
  /** The lab's namespace (entry name) the peer lives in; null when not told, or outside the lab. */
  peerNetns: string | null;
}

/** A node's veth ends, where it is. */
export interface EndsOf<I extends VethEnd> {
  name: string;
  netns: string;
  links: readonly I[];
}

/** An end of a node. */
export interface PlacedEnd<I extends VethEnd> {
  node: string;
  netns: string;
  iface: I;
}

/**
 * The other end of each veth end of `nodes`, both ways. Told exactly by where
 * its peer lives (peerNetns) and its index there; where that was not told, an
 * end whose index and peer's index are the other way round, on another node,
 * the first of them not paired yet (indexes are per namespace: repeated pairs
 * of indexes, as along a chain of routers, make that a guess). Each end must
 * name the other back.
 */
export function vethPairs<I extends VethEnd>(nodes: readonly EndsOf<I>[]): Map<PlacedEnd<I>, PlacedEnd<I>> {
  const ends: PlacedEnd<I>[] = nodes.flatMap((n) =>
    n.links.filter((i) => i.kind === "veth" && i.parentIndex !== null).map((iface) => ({ node: n.name, netns: n.netns, iface })),
  );
  const placed = new Map(ends.map((e) => [`${e.netns}\0${e.iface.index}`, e]));
  const unplaced = groupBy(
    ends.filter((e) => e.iface.peerNetns === null),
    (e) => `${e.iface.index}:${e.iface.parentIndex}`,
  );
  const far = new Map<PlacedEnd<I>, PlacedEnd<I>>();
  for (const end of ends) {
    if (far.has(end)) continue;
    const { peerNetns, parentIndex, index } = end.iface;
    const other =
      peerNetns === null
        ? unplaced.get(`${parentIndex}:${index}`)?.find((o) => !far.has(o) && o.node !== end.node)
        : placed.get(`${peerNetns}\0${parentIndex}`);
    if (!other || other === end || far.has(other) || other.iface.parentIndex !== index) continue;
    if (other.iface.peerNetns !== null && other.iface.peerNetns !== end.netns) continue;
    far.set(end, other).set(other, end);
  }
  return far;
}

/** An end that can be told its peer. */
interface NamedEnd extends VethEnd {
  name: string;
  peer: { node: string; dev: string } | null;
}

/** Sets each veth end's `peer` to its other end's node and name there; `nodes` back. */
export function namePeers<N extends EndsOf<NamedEnd>>(nodes: N[]): N[] {
  for (const [end, other] of vethPairs(nodes)) end.iface.peer = { node: other.node, dev: other.iface.name };
  return nodes;
}
