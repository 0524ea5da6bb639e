/**
 * How live kernel objects compare with what a topology file says: addresses
 * and routes in the kernel's own text form, and which routes are a lab's to
 * manage. Fields the file leaves out are left out of the comparison, but for
 * a route's metric: one left out is the kernel's default, as apply makes it.
 */
import type { Address, Route } from "@neslink/codec-wasm";
import { RT_TABLE_MAIN } from "../shapes/iproute-names.js";
import { type RouteGivenJSON, routeGiven, unnamed } from "../shapes/rows.js";
import { AF_INET, AF_INET6, cidr, familyOf } from "../validate/net.js";
import { groupBy } from "./group-by.js";
import type { LiveNamespace } from "./live.js";
import type { TopologyRoute } from "./model.js";

export const RTPROT_BOOT = 3;
const RTN_UNICAST = 1;
/** Addresses the kernel gives by itself (link-local, loopback) have a scope other than universe. */
export const RT_SCOPE_UNIVERSE = 0;

/** IPv6 text in its RFC 5952 form (the URL parser writes it so). */
const canonicalIp6 = (address: string) => new URL(`http://[${address}]`).hostname.slice(1, -1);

/** IPv6 text in the kernel's (RFC 5952) form, so "fd00:0002::1" and "fd00:2::1" compare equal. */
export function canonicalIp(address: string): string {
  return familyOf("address", address) === AF_INET6 ? canonicalIp6(address) : address;
}

export function canonicalCidr(text: string): string {
  const { family, address, prefixLen } = cidr("address", text);
  return `${family === AF_INET6 ? canonicalIp6(address) : address}/${prefixLen}`;
}

/** A live address as canonicalCidr writes it (its family known: the codec writes IPv4 in its one dotted-decimal form). */
export function addressText(a: Address): string {
  const text = (a.local ?? a.address) as string;
  return `${a.family === AF_INET6 ? canonicalIp6(text) : text}/${a.prefixLen}`;
}

/**
 * A file's route's family and destination as the kernel reports them: a /0 (0.0.0.0/0, ::/0) is the default route,
 * which it reports with no destination, as it reports "default"; `at`, the destination's address and prefix length.
 */
function destinationOf(want: TopologyRoute): { family: number; dst: string; at?: { address: string; prefixLen: number } } {
  const to = want.to === "default" ? undefined : cidr("to", want.to);
  const family = to?.family ?? (want.via !== undefined ? familyOf("via", want.via) : AF_INET);
  if (to === undefined || to.prefixLen === 0) return { family, dst: "default" };
  const address = canonicalIp(to.address);
  return { family, dst: `${address}/${to.prefixLen}`, at: { address, prefixLen: to.prefixLen } };
}

/** The metric the kernel gives a route added without one: 0 for IPv4, 1024 for IPv6 (IP6_RT_PRIO_USER). */
const DEFAULT_METRIC: Readonly<Record<number, number>> = { [AF_INET]: 0, [AF_INET6]: 1024 };

/**
 * A file's metric as the kernel keeps it: IPv6 takes 0 as no metric given (ip6_route_info_create: 1024), so a route of
 * `metric: 0` is listed with 1024, and is the same route as one without a metric.
 */
function keptMetric(family: number, metric: number | undefined): number {
  return metric === undefined || metric === 0 ? (DEFAULT_METRIC[family] as number) : metric;
}

/**
 * What the kernel tells a file's routes apart by: family, destination, table and metric. Two routes of a node
 * with the same key are one route to the kernel: each apply would replace one with the other, and never be done.
 */
export function routeKey(route: TopologyRoute): string {
  const { family, dst } = destinationOf(route);
  return `${family === AF_INET6 ? "IPv6" : "IPv4"} ${dst} table ${route.table ?? RT_TABLE_MAIN} metric ${keptMetric(family, route.metric)}`;
}

/** Where a live route goes: its family, table and destination, which a file's route must share to be it. */
const liveDestination = (have: Route) => `${have.family} ${have.table} ${have.dst === null ? "default" : `${have.dst}/${have.dstLen}`}`;

/** The liveDestination of the live routes a file's route can be. */
function wantedDestination(want: TopologyRoute): string {
  const { family, dst } = destinationOf(want);
  return `${family} ${want.table ?? RT_TABLE_MAIN} ${dst}`;
}

/**
 * A route's identity for comparison. A gateway or dev the file leaves out is the kernel's to choose, and left out; a
 * metric is not: the route is made with the kernel's default (keptMetric), and the same route remade by hand with
 * another metric is another route, which the kernel keeps beside the file's (its key differs): drift.
 */
export function routeMatches(want: TopologyRoute, have: Route, names: ReadonlyMap<number, string>): boolean {
  if (wantedDestination(want) !== liveDestination(have)) return false;
  if (want.via !== undefined && (have.gateway === null || canonicalIp(want.via) !== have.gateway)) return false;
  if (want.via === undefined && have.gateway !== null) return false;
  if (want.dev !== undefined && names.get(have.oifIndex ?? -1) !== want.dev) return false;
  // An IPv4 dump leaves RTA_PRIORITY out where it is 0 (fib_dump_info): a live route without one has metric 0.
  return (have.metric ?? 0) === keptMetric(have.family, want.metric);
}

/**
 * The live routes each of a file's routes may be (those of its destination; routeMatches tells): a node with thousands
 * of routes searched them all for each of its file's.
 */
export function routesByDestination(routes: readonly Route[]): (want: TopologyRoute) => readonly Route[] {
  const by = groupBy(routes, liveDestination);
  return (want) => by.get(wantedDestination(want)) ?? [];
}

/** The routes neslink manages in a namespace: unicast routes added by a user or a tool (RTPROT_BOOT), not the kernel's own. */
export function managedRoutes(live: LiveNamespace): Route[] {
  return live.routes.filter((r) => r.protocol === RTPROT_BOOT && r.type === RTN_UNICAST);
}

/** A file's route as a plan names one to make (as `route add --json` names it): in the kernel's text, main when no table is given. */
export function routeToMake(want: TopologyRoute): RouteGivenJSON {
  const { family, at } = destinationOf(want);
  return routeGiven(
    {
      family,
      dst: at?.address ?? null,
      ...(at && { dstLen: at.prefixLen }),
      via: want.via === undefined ? null : canonicalIp(want.via),
      metric: want.metric ?? null,
      ...(want.table !== undefined && { table: want.table }),
    },
    want.dev ?? null,
  );
}

/** A live route as a plan names one to delete (as `route del --json` names it): all it is, its link by name. */
export function routeToDelete(r: Route, names: ReadonlyMap<number, string>): RouteGivenJSON {
  const dev = r.oifIndex === null ? null : (names.get(r.oifIndex) ?? unnamed(r.oifIndex));
  return routeGiven({ family: r.family, dst: r.dst, dstLen: r.dstLen, via: r.gateway, metric: r.metric, table: r.table }, dev);
}
