/** Routes as data, and matching a request's method and path against them. */
import { type NsAction, type NsDoResult, type NsProvider, type Pool, type ResultsOf, ValidationError } from "@neslink/core";
import { HttpError } from "./http-error.js";
import type { Schema } from "./schema.js";

export type Method = "GET" | "POST" | "DELETE";

export interface Context {
  /** A path parameter, percent-decoded; `name` is one of the route's {placeholders}. */
  param(name: string): string;
  /** The request body, already checked against the route's schema. */
  body: unknown;
  /** nsDo on the server's pool. */
  nsDo<const A extends readonly NsAction[]>(provider: NsProvider, ...actions: A): Promise<NsDoResult<ResultsOf<A>>>;
  /** The server's pool, for core calls other than nsDo. */
  pool(): Pool;
  /** Aborted with "SIGHUP" when the client goes away before its answer (the connection closed). */
  signal: AbortSignal;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** OpenAPI-style template, e.g. "/v1/namespaces/{name}/links". */
  path: string;
  /** Served without a token. */
  public?: boolean;
  /** A JSON body is required and must match this. */
  body?: Schema;
  /** Only served when the server was started with exec allowed. */
  exec?: boolean;
  handle(context: Context): Promise<Reply> | Reply;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

function compile(template: string): RegExp {
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
  return new RegExp(`^${source}$`);
}

function decode(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(name, "is not valid percent-encoding");
  }
}

/**
 * The path of a request target, exactly as sent: no "." or ".." resolution
 * (encoded or not), no backslash read as "/", and a leading "//" is an empty
 * segment, not a host. `new URL` would do all three, routing a request to
 * a path its client never named. The absolute form (a proxy's) keeps its path.
 */
export function pathOf(target: string): string {
  const path = target.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, "");
  return path.slice(0, path.search(/[?#]|$/)) || "/";
}

/** The methods a route answers: HTTP servers must answer HEAD wherever they answer GET (node:http leaves out the body). */
function methodsOf(route: Route): string[] {
  return route.method === "GET" ? ["GET", "HEAD"] : [route.method];
}

/** A matcher over `routes`: 404 for an unknown path, 405 (with Allow) for a known path and another method. */
export function router(routes: readonly Route[]): (method: string, pathname: string) => Match {
  const compiled = routes.map((route) => ({ route, pattern: compile(route.path), methods: methodsOf(route) }));
  return (method, pathname) => {
    const allowed: string[] = [];
    for (const { route, pattern, methods } of compiled) {
      const m = pattern.exec(pathname);
      if (!m) continue;
      if (!methods.includes(method)) {
        allowed.push(...methods);
        continue;
      }
      const params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decode(k, v)]));
      return { route, params };
    }
    if (allowed.length > 0) {
      throw new HttpError("ERR_METHOD_NOT_ALLOWED", `${method} is not allowed on ${pathname}`, { allow: allowed.join(", ") });
    }
    throw new HttpError("ERR_ROUTE_NOT_FOUND", `no route for ${pathname}`);
  };
}
