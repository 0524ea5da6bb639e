/**
 * An address, a route and a neighbour as every adapter prints them: one
 * shape each, whichever command or event gives it (a list, a change,
 * `watch()`'s events), keyed as a topology file and ip's command line key
 * them (`dev`, `to`, `via`, `mac`), valued as `ip -j` writes them.
 */
import type { Address, Neighbour, Route } from "@neslink/codec-wasm";
import { neighbourStateNames, protocolName, RT_TABLE_MAIN, routeTypeName, scopeName, tableName } from "./iproute-names.js";

/** The link an address, route or neighbour is on, by the index the kernel gives: its name (`#INDEX` if unknown). */
export type NameOf = (index: number) => string;

/** How a row names a link it found no name for. */
export const unnamed: NameOf = (index) => `#${index}`;

/** Link names by index, as a listing of the namespace's links gives them. */
export function linkNames(links: readonly { index: number; name: string }[]): NameOf {
  const names = new Map(links.map((l) => [l.index, l.name]));
  return (index) => names.get(index) ?? unnamed(index);
}

/** An IP family as `ip -j addr` names it (iproute2's family_name). */
export type IpFamily = "inet" | "inet6";

const AF_INET6 = 10;
const AF_BRIDGE = 7;

/** AF_INET or AF_INET6 by name. */
export const ipFamily = (family: number): IpFamily => (family === AF_INET6 ? "inet6" : "inet");

/** An address and its prefix, each alone and together. */
export interface Prefixed {
  family: IpFamily;
  address: string;
  prefixLen: number;
  cidr: string;
}

/** `family` is AF_INET or AF_INET6, as netlink and core's parsed CIDRs carry it. */
export function prefixed(family: number, address: string, prefixLen: number): Prefixed {
  return { family: ipFamily(family), address, prefixLen, cidr: `${address}/${prefixLen}` };
}

/** An address as given to `addr add` / `addr del`: as a listing shows it, but the scope, which the kernel picks. */
export interface AddressGivenJSON extends Prefixed {
  dev: string;
}

/** An address as `ip addr` lists it, with the link it is on. */
export interface AddressJSON extends AddressGivenJSON {
  /** As `ip -j addr` names it: "global", "link", "host", ... */
  scope: string;
}

export function addressGiven(dev: string, family: number, address: string, prefixLen: number): AddressGivenJSON {
  return { dev, ...prefixed(family, address, prefixLen) };
}

export function toAddressJSON(a: Address, nameOf: NameOf): AddressJSON {
  // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer's on a point-to-point link.
  return { ...addressGiven(nameOf(a.index), a.family, (a.local ?? a.address) as string, a.prefixLen), scope: scopeName(a.scope) };
}

/**
 * A route's destination as `ip -j route` writes it: `default`, a CIDR, or a
 * host route's address alone (ip leaves out a /32, or an IPv6 /128).
 */
export function routeTo(family: number, dst: string | null | undefined, dstLen: number | undefined): string {
  if (dst === null || dst === undefined) return "default";
  return dstLen === (family === AF_INET6 ? 128 : 32) ? dst : `${dst}/${dstLen}`;
}

/** A route as given to `route add` / `replace` / `del`: as a listing shows it, but what the kernel decides. */
export interface RouteGivenJSON {
  to: string;
  family: IpFamily;
  via: string | null;
  dev: string | null;
  metric: number | null;
  /** As `ip -j route` names it: "main", "local", "default", or its id ("100"). */
  table: string;
}

/** A route as `ip route` lists it. */
export interface RouteJSON extends RouteGivenJSON {
  /** Who added it, as `ip -j route` names it: "kernel", "boot", "static", ... */
  protocol: string;
  /** "global", "link", "host", ... */
  scope: string;
  /** "unicast", "local", "broadcast", "multicast", ... (ip writes it for all but unicast). */
  type: string;
}

/** What a route change names: its family (AF_*), destination, gateway, metric and table (main when absent). */
export interface RouteGiven {
  family: number;
  dst?: string | null;
  dstLen?: number;
  via?: string | null;
  metric?: number | null;
  table?: number;
}

export function routeGiven(r: RouteGiven, dev: string | null): RouteGivenJSON {
  return {
    to: routeTo(r.family, r.dst, r.dstLen),
    family: ipFamily(r.family),
    via: r.via ?? null,
    dev,
    metric: r.metric ?? null,
    table: tableName(r.table ?? RT_TABLE_MAIN),
  };
}

export function toRouteJSON(r: Route, nameOf: NameOf): RouteJSON {
  return {
    ...routeGiven(
      { family: r.family, dst: r.dst, dstLen: r.dstLen, via: r.gateway, metric: r.metric, table: r.table },
      r.oifIndex === null ? null : nameOf(r.oifIndex),
    ),
    protocol: protocolName(r.protocol),
    scope: scopeName(r.scope),
    type: routeTypeName(r.type),
  };
}

/** A neighbour as `ip neigh` lists it (`ip -j neigh`'s dst is `address`, its lladdr `mac`, as a link's). */
export interface NeighbourJSON {
  dev: string;
  /** "bridge" for a bridge's forwarding entry, which has a MAC and no IP address. */
  family: IpFamily | "bridge";
  address: string | null;
  mac: string | null;
  /** The NUD states set, by name, as `ip -j neigh` lists them (none for NUD_NONE). */
  state: string[];
}

export function toNeighbourJSON(n: Neighbour, nameOf: NameOf): NeighbourJSON {
  return {
    dev: nameOf(n.index),
    family: n.family === AF_BRIDGE ? "bridge" : ipFamily(n.family),
    address: n.dst,
    mac: n.mac,
    state: neighbourStateNames(n.state),
  };
}
