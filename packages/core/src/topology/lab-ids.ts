/**
 * Which of a lab's namespaces a plan asks the kernel about, to tell where each
 * link's far end or origin is (labNamespaceIds): a veth pair must lead from
 * one node to the other, and a vxlan or macvlan must have been made from the
 * host. A pair is judged from one end: if that end's peer is the other end's
 * namespace and index, the other end's peer is that end. So the reference is
 * the node with the most veths to other nodes (a star's hub: every pair is
 * judged from it), and only the nodes that leaves out are translated: one end
 * of each pair not on the reference, and each node with a vxlan or macvlan.
 */
import type { LiveNamespace } from "./live.js";
import type { Topology } from "./model.js";
import { labNamespaceIds, type PeerNamespaces } from "./peer-namespaces.js";

/** What to ask labNamespaceIds: the lab's running namespaces, the reference first, and those to translate. */
export interface IdsAsked {
  netns: string[];
  translate: Set<string>;
}

/**
 * What a plan asks of the running nodes' nsids (see above; `everyNode`: every one translated); undefined when no link
 * of theirs names another namespace.
 */
export function idsToAsk(topology: Topology, running: ReadonlyMap<string, LiveNamespace>, everyNode = false): IdsAsked | undefined {
  // Veth ends to another namespace, by node; the nodes with a vxlan or macvlan made elsewhere.
  const crossing = new Map<string, number>();
  const hostMade = new Set<string>();
  for (const node of topology.nodes) {
    const live = running.get(node.name);
    if (live === undefined) continue;
    let ends = 0;
    for (const l of live.links) {
      if (l.linkNetnsid === null) continue;
      if (l.kind === "veth") ends++;
      else if (l.kind === "vxlan" || l.kind === "macvlan") hostMade.add(node.name);
    }
    crossing.set(node.name, ends);
  }
  if (hostMade.size === 0 && ![...crossing.values()].some((n) => n > 0)) return undefined;
  let reference = "";
  for (const [node, ends] of crossing) if (reference === "" || ends > (crossing.get(reference) ?? 0)) reference = node;
  const translate = new Set([...(everyNode ? crossing.keys() : hostMade)].filter((n) => n !== reference));
  for (const { endpoints } of topology.links) {
    const [a, b] = [endpoints[0].node, endpoints[1].node];
    if (a === b || !crossing.has(a) || !crossing.has(b) || [a, b].some((n) => n === reference || translate.has(n))) continue;
    translate.add((crossing.get(b) ?? 0) > (crossing.get(a) ?? 0) ? b : a);
  }
  const netns = (node: string) => (running.get(node) as LiveNamespace).netns;
  const others = [...crossing.keys()].filter((n) => n !== reference);
  return { netns: [netns(reference), ...others.map(netns)], translate: new Set([...translate].map(netns)) };
}

/** What readLive gives of each running node of the lab (see LiveRead.peers): asked only where a link names another namespace. */
export function namespaceIds(topology: Topology, running: ReadonlyMap<string, LiveNamespace>, everyNode = false): Promise<PeerNamespaces> {
  const asked = idsToAsk(topology, running, everyNode);
  return asked === undefined ? Promise.resolve(new Map()) : labNamespaceIds(asked.netns, asked.translate);
}
