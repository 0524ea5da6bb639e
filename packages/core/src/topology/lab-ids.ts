/**
 * Which of a lab's namespaces a plan asks the kernel about, to tell where each
 * link's far end or origin is (labNamespaceIds): a veth pair must lead from
 * one node to the other, and a vxlan or macvlan must have been made from the
 * host. A pair is judged from one end: if that end's peer is the other end's
 * namespace and index, the other end's peer is that end. So the reference is
 * the node with the most veths to other nodes (a star's hub: every pair is
 * judged from it), and only the nodes that leaves out are translated: one end
 * of each pair not on the reference, and each node with a vxlan or macvlan.
 *
 * The reference's ids are asked for as the nodes' reads come in (EarlyIds),
 * not once they are all over: a 500-node star's 501 took 17 to 76 ms after
 * the reads. That reference is picked from the file, before anything is read.
 */
import { mayLeaveBriefly } from "../namespace/brief-switch.js";
import { openInside } from "../namespace/inside.js";
import * as ns from "../namespace/providers.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { HOST, isNodeOf, type LiveNamespace } from "./live.js";
import type { Topology } from "./model.js";
import { labNamespaceIds, type PeerNamespaces, ReferenceIds } from "./peer-namespaces.js";

/** What to ask labNamespaceIds: the lab's running namespaces, the reference first, and those to translate. */
export interface IdsAsked {
  netns: string[];
  translate: Set<string>;
}

/**
 * What a plan asks of the running nodes' nsids (see above; `everyNode`: every one translated; `reference`: that node
 * is the reference if it runs); undefined when no link of theirs names another namespace.
 */
export function idsToAsk(
  topology: Topology,
  running: ReadonlyMap<string, LiveNamespace>,
  everyNode = false,
  reference?: string,
): IdsAsked | undefined {
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
  let chosen = reference !== undefined && crossing.has(reference) ? reference : "";
  if (chosen === "") for (const [node, ends] of crossing) if (chosen === "" || ends > (crossing.get(chosen) ?? 0)) chosen = node;
  const translate = new Set([...(everyNode ? crossing.keys() : hostMade)].filter((n) => n !== chosen));
  for (const { endpoints } of topology.links) {
    const [a, b] = [endpoints[0].node, endpoints[1].node];
    if (a === b || !crossing.has(a) || !crossing.has(b) || [a, b].some((n) => n === chosen || translate.has(n))) continue;
    translate.add((crossing.get(b) ?? 0) > (crossing.get(a) ?? 0) ? b : a);
  }
  const netns = (node: string) => (running.get(node) as LiveNamespace).netns;
  const others = [...crossing.keys()].filter((n) => n !== chosen);
  return { netns: [netns(chosen), ...others.map(netns)], translate: new Set([...translate].map(netns)) };
}

/**
 * The node a plan asks its ids of before the reads are over: the one of the file with the most veths to other nodes,
 * the first of those (as idsToAsk picks from what is read: they differ only where the lab has drifted, and either
 * tells the same); where no link joins two nodes, the first with a vxlan or macvlan; undefined where neither is.
 */
export function fileReference(topology: Topology): string | undefined {
  const ends = new Map<string, number>();
  for (const { endpoints } of topology.links) {
    const [a, b] = [endpoints[0].node, endpoints[1].node];
    if (a === b) continue;
    for (const node of [a, b]) ends.set(node, (ends.get(node) ?? 0) + 1);
  }
  let most: string | undefined;
  for (const { name } of topology.nodes) if ((ends.get(name) ?? 0) > (most === undefined ? 0 : (ends.get(most) ?? 0))) most = name;
  return most ?? topology.nodes.find((n) => n.interfaces.some((i) => i.kind === "vxlan" || i.kind === "macvlan"))?.name;
}

/** A socket inside the named namespace `netns`; undefined where none can be had (gone since it was read, EMFILE). */
function socketInside(netns: string): NetlinkSocket | undefined {
  try {
    return openInside(ns.name(netns), (err) => err as Error);
  } catch {
    return undefined;
  }
}

/**
 * What readLive gives of each running node of the lab (see LiveRead.peers), asked of the file's reference as each
 * node's read comes: once the reference's own read has come and found it running, a socket is opened inside it (it
 * is the namespace read, unless replaced in the instant between), and every running node read so far, then each
 * one as its read comes, is asked about, a turn of the event loop's worth at once. Only nodes read as running are
 * asked about, as after the reads: one read as missing and made meanwhile, or replaced, is not the namespace read.
 * Where the reference is not running, or no socket can be had, finish asks after the reads as before. The socket is
 * this plan's one descriptor held across its awaits, outside inTurn (in-turn.ts): one per plan, not per namespace.
 */
export class EarlyIds {
  readonly #topology: Topology;
  readonly #everyNode: boolean;
  /** The reference's node, while asking before the reads are over is still to be, or under way. */
  #reference: string | undefined;
  #socket: NetlinkSocket | undefined;
  #ids: ReferenceIds | undefined;
  /** Namespaces of running nodes not asked about yet: read before the reference's read came, or this turn. */
  #waiting: string[] = [];
  #turn: NodeJS.Immediate | undefined;

  constructor(topology: Topology, everyNode = false) {
    this.#topology = topology;
    this.#everyNode = everyNode;
    this.#reference = mayLeaveBriefly() ? fileReference(topology) : undefined;
  }

  /** Node `node`'s read has come. */
  arrived(node: string, live: LiveNamespace): void {
    if (this.#reference === undefined) return;
    const running = isNodeOf(live, this.#topology.name, node);
    if (node === this.#reference) {
      this.#socket = running ? socketInside(live.netns) : undefined;
      if (this.#socket === undefined) {
        this.close();
        return;
      }
      this.#ids = new ReferenceIds(this.#socket);
      this.#waiting.unshift(live.netns, HOST);
    } else if (running) this.#waiting.push(live.netns);
    else return;
    if (this.#ids !== undefined) this.#turn ??= setImmediate(() => this.#ask());
  }

  #ask(): void {
    this.#turn = undefined;
    try {
      this.#ids?.ask(this.#waiting.splice(0));
    } catch {
      // Run from the event loop, nothing would catch it: finish asks after the reads instead.
      this.close();
    }
  }

  /** What the running nodes' nsids name (LiveRead.peers), once every read has come; `running`: the lab's running nodes. */
  async finish(running: ReadonlyMap<string, LiveNamespace>): Promise<PeerNamespaces> {
    try {
      if (this.#turn !== undefined) {
        clearImmediate(this.#turn);
        this.#ask();
      }
      const ids = this.#ids;
      const asked = idsToAsk(this.#topology, running, this.#everyNode, ids === undefined ? undefined : this.#reference);
      if (asked === undefined) return new Map();
      if (ids === undefined) return await labNamespaceIds(asked.netns, asked.translate);
      // Told only if every running node and the host was given an id: one missed would make every link to it look outside the lab.
      if (!ids.has([...asked.netns, HOST])) return new Map();
      return ids.peers(asked.netns[0] as string, (netns) => asked.translate.has(netns));
    } finally {
      this.close();
    }
  }

  /** Stops asking and closes the socket (idempotent): once finished, or when the reads failed. */
  close(): void {
    if (this.#turn !== undefined) clearImmediate(this.#turn);
    this.#turn = undefined;
    this.#socket?.close();
    this.#socket = undefined;
    this.#ids = undefined;
    this.#reference = undefined;
    this.#waiting = [];
  }
}
