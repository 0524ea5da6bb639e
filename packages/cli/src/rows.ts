/**
 * What --json prints of an address, a route and a neighbour: one shape for
 * each, whichever command prints it (addr list and addr add, route list and
 * route add, monitor's events), so that one jq filter reads them all. A
 * link's is core's `Link` as it is.
 */
import type { Address, Neighbour, Route } from "@neslink/core/lean";
import { protocolName, scopeName } from "./rt-names.js";

/** The link an address, route or neighbour is on, by the index the kernel gives: its name (`#INDEX` if unknown). */
export type NameOf = (index: number) => string;

/** How a row names a link it found no name for. */
export const unnamed: NameOf = (index) => `#${index}`;

/** Link names by index, as a listing of the namespace's links gives them. */
export function linkNames(links: readonly { index: number; name: string }[]): NameOf {
  const names = new Map(links.map((l) => [l.index, l.name]));
  return (index) => names.get(index) ?? unnamed(index);
}

const AF_INET6 = 10;
const AF_BRIDGE = 7;

/** An IP family as ip's -4 / -6 name it. */
export function ipVersion(family: number): 4 | 6 {
  return family === AF_INET6 ? 6 : 4;
}

/** An address and its prefix, each alone and together. */
export interface Prefixed {
  family: 4 | 6;
  address: string;
  prefixLen: number;
  cidr: string;
}

export function prefixed(family: number, address: string, prefixLen: number): Prefixed {
  return { family: ipVersion(family), address, prefixLen, cidr: `${address}/${prefixLen}` };
}

/** An address as `ip addr` writes it, with the link it is on. */
export interface AddressRow extends Prefixed {
  dev: string;
  /** As `ip -j addr` names it: "global", "link", "host", ... */
  scope: string;
}

export function addressRow(a: Address, nameOf: NameOf): AddressRow {
  // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer's on a point-to-point link.
  return { dev: nameOf(a.index), ...prefixed(a.family, (a.local ?? a.address) as string, a.prefixLen), scope: scopeName(a.scope) };
}

/** A route's destination as `ip route` writes it: `default`, or a CIDR. */
export function routeTo(dst: string | null | undefined, dstLen: number | undefined): string {
  return dst === null || dst === undefined ? "default" : `${dst}/${dstLen}`;
}

/** A route as `ip route` writes it. */
export interface RouteRow {
  to: string;
  family: 4 | 6;
  via: string | null;
  dev: string | null;
  metric: number | null;
  table: number;
  /** Who added it, as `ip -j route` names it: "kernel", "boot", "static", ... */
  protocol: string;
}

export function routeRow(r: Route, nameOf: NameOf): RouteRow {
  return {
    to: routeTo(r.dst, r.dstLen),
    family: ipVersion(r.family),
    via: r.gateway,
    dev: r.oifIndex === null ? null : nameOf(r.oifIndex),
    metric: r.metric,
    table: r.table,
    protocol: protocolName(r.protocol),
  };
}

/** ndm_state's NUD_* bits (linux/neighbour.h), named as `ip neigh` names them. */
const NUD_STATES: readonly [number, string][] = [
  [0x01, "INCOMPLETE"],
  [0x02, "REACHABLE"],
  [0x04, "STALE"],
  [0x08, "DELAY"],
  [0x10, "PROBE"],
  [0x20, "FAILED"],
  [0x40, "NOARP"],
  [0x80, "PERMANENT"],
];

/** A neighbour as `ip neigh` writes it (`ip -j neigh`'s dst is `address`, its lladdr `mac`, as a link's). */
export interface NeighbourRow {
  dev: string;
  /** "bridge" for a bridge's forwarding entry, which has a MAC and no IP address. */
  family: 4 | 6 | "bridge";
  address: string | null;
  mac: string | null;
  /** The NUD_* states set, by name (none for NUD_NONE). */
  state: string[];
}

export function neighbourRow(n: Neighbour, nameOf: NameOf): NeighbourRow {
  return {
    dev: nameOf(n.index),
    family: n.family === AF_BRIDGE ? "bridge" : ipVersion(n.family),
    address: n.dst,
    mac: n.mac,
    state: NUD_STATES.filter(([bit]) => (n.state & bit) !== 0).map(([, name]) => name),
  };
}
