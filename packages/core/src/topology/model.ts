/**
 * A topology as plan, apply, destroy and inspect use it: the file's shorthand
 * resolved (endpoints as objects, namespace names and defaults filled in,
 * each interface listed once on its node with everything the file says about
 * it). Plain data, JSON-serialisable.
 */

export interface Topology {
  name: string;
  /** Sorted by name. */
  nodes: TopologyNode[];
  links: TopologyLink[];
}

export interface TopologyNode {
  name: string;
  /** Its namespace's name under /run/netns. */
  netns: string;
  ipv6: boolean;
  /** Sysctls the topology sets, as the strings written to /proc/sys. */
  sysctls: Record<string, string>;
  /** Every interface of the node but lo, sorted by name. */
  interfaces: TopologyInterface[];
  /** Addresses on the node's loopback, if the file gives any. */
  loopback: string[];
  routes: TopologyRoute[];
  exec: TopologyExec[];
  processes: TopologyProcess[];
}

export type InterfaceKind = "veth" | "bridge" | "vxlan" | "macvlan";

export interface TopologyInterface {
  name: string;
  kind: InterfaceKind;
  /** CIDRs, as written (validated). */
  addresses: string[];
  mac?: string;
  mtu?: number;
  /** A bridge of the same node. */
  master?: string;
  up: boolean;
  /** For a veth: the other end. */
  peer?: TopologyEndpoint;
  vxlan?: { id: number; remote?: string; local?: string; group?: string; port?: number; parent?: string };
  macvlan?: { parent: string; mode: "private" | "vepa" | "bridge" | "passthru" };
}

export interface TopologyEndpoint {
  node: string;
  interface: string;
}

export interface TopologyLink {
  endpoints: [TopologyEndpoint, TopologyEndpoint];
  mtu?: number;
  up: boolean;
}

export interface TopologyRoute {
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  table?: number;
}

/**
 * How long a node's exec command may run when its entry does not say
 * (seconds). Here, not in schema.ts, which the schema's text needs: that one
 * loads typebox, which a process that only runs topologies never loads.
 */
export const DEFAULT_EXEC_TIMEOUT_S = 120;

/** A command a node runs once, after its links are up. */
export interface TopologyExec {
  argv: string[];
  /** Killed past this, failing the apply (the file's `timeout`, in ms; 0: no limit). */
  timeoutMs: number;
}

export interface TopologyProcess {
  /** Unique within its node; the file's `name`, or derived from the program. */
  name: string;
  argv: string[];
  env: Record<string, string>;
}
