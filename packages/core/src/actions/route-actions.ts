/** Route actions (the seed's TODO): list, add, replace and delete routes, IPv4 and IPv6. Plain data. */
import type { Route } from "@neslink/codec-wasm";
import { ValidationError } from "../errors.js";
import type { LinkRef } from "../links/providers.js";
import * as net from "../validate/net.js";
import * as v from "../validate/validate.js";
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
  /** For "default": 4 or 6 (otherwise taken from `to` or `via`). */
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

function routeSpec(input: RouteInput): RouteSpec {
  if (input.via === undefined && input.dev === undefined)
    throw new ValidationError("via", "a route needs a gateway (via) or a device (dev)");
  const viaFamily = input.via === undefined ? undefined : net.familyOf("via", input.via);
  const spec: RouteSpec = { family: net.AF_INET };
  if (input.to === "default") {
    const asked = input.family === undefined ? undefined : input.family === 6 ? net.AF_INET6 : net.AF_INET;
    spec.family = asked ?? viaFamily ?? net.AF_INET;
  } else {
    const c = net.cidr("to", input.to);
    Object.assign(spec, { family: c.family, dst: c.address, dstLen: c.prefixLen });
  }
  if (viaFamily !== undefined && viaFamily !== spec.family) throw new ValidationError("via", "is not of the destination's address family");
  if (input.via !== undefined) spec.via = input.via;
  if (input.dev !== undefined) spec.dev = input.dev;
  if (input.metric !== undefined) spec.metric = v.integer("metric", input.metric, 0, 0xffffffff);
  if (input.table !== undefined) spec.table = v.integer("table", input.table, 1, 0xffffffff);
  return spec;
}

export type RouteActionSpec =
  | { readonly kind: "route"; readonly op: RouteOp; readonly route: RouteSpec }
  | { readonly kind: "routes"; readonly family: number };

/** A route change: an action whose spec is visible to the caller. */
export type RouteChange = NsAction<null> & Extract<RouteActionSpec, { kind: "route" }>;

export const addRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "add", route: routeSpec(r) });
export const replaceRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "replace", route: routeSpec(r) });
export const delRoute = (r: RouteInput): RouteChange => ({ kind: "route", op: "delete", route: routeSpec(r) });

/** Every route of the namespace (all tables), IPv4, IPv6 or both. */
export function routes(family: 4 | 6 | "all" = "all"): NsAction<Route[]> {
  return { kind: "routes", family: family === 4 ? net.AF_INET : family === 6 ? net.AF_INET6 : 0 };
}
