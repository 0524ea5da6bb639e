/**
 * topology.inspect: what a topology's namespaces hold now, node by node —
 * each link with its state and addresses, the managed routes, the lab's
 * processes — and, given the file, the drift: the changes apply would make.
 */
import type { Link } from "@neslink/codec-wasm";
import { type OperStateName, operstateName } from "../shapes/iproute-names.js";
import { linkNames, type RouteJSON, toRouteJSON } from "../shapes/rows.js";
import { defaultPool } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { checkTopology } from "./check.js";
import type { Change } from "./changes.js";
import { canonicalIp, RTPROT_BOOT } from "./compare.js";
import { HOST, isNodeOf, type LiveNamespace, namesInMountDir, ownedNamespaces, readNamespace } from "./live.js";
import type { Topology } from "./model.js";
import { topologyOptions } from "./options.js";
import { diff, readLive, TopologyConflictError } from "./plan.js";
import { findProcesses, type LabProcess } from "./run.js";
import { groupBy } from "./group-by.js";
import { type PeerNamespaces, peerNamespaces } from "./peer-namespaces.js";
import { labName } from "./shape.js";
import { namePeers } from "./veth-pairs.js";

/**
 * A node's link as inspect shows it. A field named as in `link list --json` (core's `LinkJSON`) means and reads what
 * it does there: `index`, `masterIndex` and `parentIndex` are the kernel's indexes, `operstate` is ip's ("UP"). The
 * lab's view adds names: `master` (as the topology file's `master` and `ip -j link`'s), `peer`, `peerNetns`.
 */
export interface InspectedLink {
  /** The link's index in its node's namespace. */
  index: number;
  name: string;
  kind: string | null;
  up: boolean;
  operstate: OperStateName | null;
  mtu: number | null;
  mac: string | null;
  /** Its master's index (IFLA_MASTER), as `Link.masterIndex`. */
  masterIndex: number | null;
  /** Its master's name. */
  master: string | null;
  /** IFLA_LINK, as `Link.parentIndex`: a veth's peer's index in the namespace the peer lives in, another kind's parent's. */
  parentIndex: number | null;
  /** A veth's peer: the lab's namespace (its entry's name) it lives in, the node's own for a pair inside it; null for one outside the lab, or not told. */
  peerNetns: string | null;
  /**
   * A veth's other end: its node, and its name there as `dev` (ip's word for a link named from elsewhere, as a
   * route's or an address's); graph's edges join these. Null when it is on no node of the lab.
   */
  peer: { node: string; dev: string } | null;
  addresses: string[];
}

export interface InspectedNode {
  name: string;
  netns: string;
  /**
   * running: the namespace is there and marked as this node; missing: not there (yet). A `phase`, as a program's:
   * `state` is ip's word for a neighbour's NUD states.
   */
  phase: "running" | "missing";
  links: InspectedLink[];
  /** Its routes of origin boot (the lab's: `ip route add`'s and neslink's), each as `route list --json` gives it. */
  routes: RouteJSON[];
  processes: LabProcess[];
}

export interface Inspection {
  topology: string;
  nodes: InspectedNode[];
  /** Given the file: what apply would change (empty: the kernel matches it). */
  drift?: Change[];
  /**
   * Given the file: the nodes whose namespace is taken by something not this lab's (apply would refuse them, so there
   * is no drift). Such a node shows as missing: what is in that namespace is not the lab's to show.
   */
  conflicts?: TopologyConflictError["conflicts"];
}

export interface InspectOptions {
  pool?: Pool;
}

/** A namespace PeerNamespaces names, if it is one of the lab's (a plan's reads name the host too, as HOST). */
const labNetns = (netns: string | undefined) => (netns === undefined || netns === HOST ? null : netns);

function linksOf(live: LiveNamespace, peers: PeerNamespaces): InspectedLink[] {
  const names = new Map(live.links.map((l) => [l.index, l.name]));
  const addresses = groupBy(live.addresses, (a) => String(a.index));
  const peerNetns = peers.get(live.netns);
  return live.links.map((l: Link) => ({
    index: l.index,
    name: l.name,
    kind: l.kind,
    up: l.up,
    operstate: operstateName(l.operstate),
    mtu: l.mtu,
    mac: l.mac,
    masterIndex: l.masterIndex,
    master: l.masterIndex === null ? null : (names.get(l.masterIndex) ?? null),
    parentIndex: l.parentIndex,
    // No IFLA_LINK_NETNSID: the peer is in the link's own namespace. One in the host is outside the lab.
    peerNetns: l.kind !== "veth" ? null : l.linkNetnsid === null ? live.netns : labNetns(peerNetns?.get(l.linkNetnsid)),
    peer: null,
    addresses: (addresses.get(String(l.index)) ?? []).map((a) => `${canonicalIp((a.local ?? a.address) as string)}/${a.prefixLen}`),
  }));
}

/** The routes a lab manages (those of origin boot, as `ip route add` and neslink make them), as `route list` shows them. */
function routesOf(live: LiveNamespace): RouteJSON[] {
  const nameOf = linkNames(live.links);
  return live.routes.filter((r) => r.protocol === RTPROT_BOOT).map((r) => toRouteJSON(r, nameOf));
}

/** Where the veths of the running nodes lead, asked of the kernel only if one of them has a veth to another namespace. */
function peersOf(running: readonly LiveNamespace[]): Promise<PeerNamespaces> {
  const paired = running.some((live) => live.links.some((l) => l.kind === "veth" && l.linkNetnsid !== null));
  return paired ? peerNamespaces(running.map((live) => live.netns)) : Promise.resolve(new Map());
}

function nodeOf(name: string, netns: string, live: LiveNamespace, topology: string, peers: PeerNamespaces): InspectedNode {
  const running = isNodeOf(live, topology, name);
  return {
    name,
    netns,
    phase: running ? "running" : "missing",
    links: running ? linksOf(live, peers) : [],
    routes: running ? routesOf(live) : [],
    // Programs left outside a node whose namespace went show too (phase "outside").
    processes: live.processes,
  };
}

/** The live state of a topology given as a loaded Topology (with its drift) or by its name. */
export async function inspect(given: Topology | string, options: InspectOptions = {}): Promise<Inspection> {
  const topology = typeof given === "string" ? given : checkTopology("topology", given);
  const pool = (topologyOptions(options, ["pool"]) as InspectOptions).pool ?? defaultPool();
  if (typeof topology === "string") {
    labName("topology", topology);
    const owned = await ownedNamespaces(pool, topology);
    const present = namesInMountDir();
    const lives = await Promise.all(owned.map((o) => readNamespace(pool, o.netns, present)));
    findProcesses(
      topology,
      owned.map((o, i) => [o.node, lives[i] as LiveNamespace] as const),
    );
    const peers = await peersOf(
      owned.flatMap((o, i) => (isNodeOf(lives[i] as LiveNamespace, topology, o.node) ? [lives[i] as LiveNamespace] : [])),
    );
    const nodes = namePeers(owned.map((o, i) => nodeOf(o.node, o.netns, lives[i] as LiveNamespace, topology, peers)));
    return { topology, nodes: nodes.sort((a, b) => (a.name < b.name ? -1 : 1)) };
  }
  // Every node's nsids told (a plan's are only those it judges by), for each end's peer.
  const read = await readLive(topology, pool, undefined, { everyNode: true });
  const { lives, peers } = read;
  const nodes = namePeers(topology.nodes.map((n) => nodeOf(n.name, n.netns, lives.get(n.name) as LiveNamespace, topology.name, peers)));
  try {
    return { topology: topology.name, nodes, drift: diff(topology, read) };
  } catch (err) {
    // Looking changes nothing: a namespace apply would refuse is part of what there is to see, not a failure.
    if (!(err instanceof TopologyConflictError)) throw err;
    return { topology: topology.name, nodes, conflicts: err.conflicts };
  }
}
