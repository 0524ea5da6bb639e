/** Route actions (the seed's TODO): list, add, replace and delete routes, IPv4 and IPv6. Plain data. */

import type { Route } from "@neslink/codec-wasm";
import { ValidationError } from "../errors.js";
import type { LinkRef } from "../links/providers.js";
import { routeProtocol, routeSpec, routeTable } from "../validate/actions.js";
import * as net from "../validate/net.js";
import { readFields } from "../validate/shape.js";
import { oneOf } from "../validate/validate.js";
import type { NsAction } from "./ns-actions.js";

export interface RouteInput {
  /** Destination: a CIDR, or "default". */
  to: string;
  /** Gateway address. */
  via?: string;
  /** Output device. */
  dev?: LinkRef;
  metric?: number;
  /** Routing table id (main when absent). */
  table?: number;
  /** For "default": 4 or 6 (otherwise taken from `via`, else 4); for a CIDR, if given, its family. */
  family?: 4 | 6;
}

/** A validated route: destination split, family settled. */
export interface RouteSpec {
  family: typeof net.AF_INET | typeof net.AF_INET6;
  dst?: string;
  dstLen?: number;
  via?: string;
  dev?: LinkRef;
  metric?: number;
  table?: number;
}

export type RouteOp = "add" | "replace" | "delete";

/** RouteInput's fields: the spec's own (dst, dstLen) are made from `to`, never taken from the input. */
const INPUT_KEYS = ["to", "via", "dev", "metric", "table", "family"];

/** The input's destination split and family settled; the rules are routeSpec's, which the worker applies too. */
function toSpec(input: RouteInput, op: RouteOp): RouteSpec {
  const { to, family, ...rest } = readFields("", input, INPUT_KEYS) as unknown as RouteInput;
  const asked = family === undefined ? undefined : oneOf("family", family, [4, 6]) === 6 ? net.AF_INET6 : net.AF_INET;
  if (to === "default") {
    const viaFamily = typeof rest.via === "string" && net.isIPv6(rest.via) ? net.AF_INET6 : net.AF_INET;
    return routeSpec("", { family: asked ?? viaFamily, ...rest }, op);
  }
  const dst = net.cidr("to", to);
  // As `ip -6 route del 10.0.0.0/8` refuses it: ignored, the flag would let an IPv6 delete remove an IPv4 route.
  if (asked !== undefined && asked !== dst.family) {
    throw new ValidationError("family", `is ${family}, but ${to} is an IPv${dst.family === net.AF_INET6 ? 6 : 4} destination`);
  }
  // A destination with host bits set is refused there, naming the field it was given as.
  return routeSpec("", { family: dst.family, dst: dst.address, dstLen: dst.prefixLen, ...rest }, op, "to");
}

export type RouteActionSpec =
  | { readonly kind: "route"; readonly op: RouteOp; readonly route: RouteSpec }
  | { readonly kind: "routes"; readonly family: number; readonly protocol?: number; readonly table?: number };

/** A route change: an action whose spec is visible to the caller. */
export type RouteChange = NsAction<null> & Extract<RouteActionSpec, { kind: "route" }>;

export const addRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "add", route: toSpec(r, "add") });
export const replaceRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "replace", route: toSpec(r, "replace") });
/**
 * Deletes a route: given by its destination alone, the first that matches (as
 * `ip route del`); `via`, `dev`, `metric`, `table` narrow it. None matching
 * fails with ERR_IP_ROUTE_NOT_FOUND.
 */
export const delRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "delete", route: toSpec(r, "delete") });

export interface RoutesFilter {
  /**
   * Only the routes of this origin (rtm_protocol, 1..255: 2 the kernel's own,
   * 3 "boot" as `ip route add` and neslink make them, 4 static), as `ip route
   * show proto X`. The kernel leaves the others out of the dump (Linux 4.20+;
   * on older kernels they are dropped after it).
   */
  protocol?: number;
  /**
   * Only the routes of this table (1..2^32-1: 254 main, 255 local, as `ip
   * route show table X`); a table that does not exist has none. Filtered by
   * the kernel too (Linux 4.20+), else after the dump.
   */
  table?: number;
}

/** Every route of the namespace (all tables unless `filter.table`), IPv4, IPv6 or both. */
export function routes(family: 4 | 6 | "all" = "all", filter: RoutesFilter = {}): NsAction<Route[]> {
  const { protocol, table } = readFields("filter", filter, ["protocol", "table"]);
  return {
    kind: "routes",
    family: net.listingFamily("family", family),
    ...(protocol !== undefined && { protocol: routeProtocol("protocol", protocol) }),
    ...(table !== undefined && { table: routeTable("table", table) }),
  };
}
