/**
 * What a request carries that no route reads: a query parameter (no route
 * takes one) or a body where the route takes none. Ignored, it would look
 * obeyed (`DELETE /v1/namespaces/x?dry-run=1` deleting) while nothing of it
 * was read: it is refused instead, before anything is done.
 */
import type { IncomingHttpHeaders } from "node:http";
import { ValidationError } from "@neslink/core";

/** The query of a request target, without its "?" or any fragment; "" when it has none. */
export function queryOf(target: string): string {
  const end = target.search(/#|$/);
  const start = target.indexOf("?");
  return start < 0 || start > end ? "" : target.slice(start + 1, end);
}

/** Throws naming the first query parameter of `target` (`query.x`), if it has any. */
export function refuseQuery(target: string): void {
  for (const key of new URLSearchParams(queryOf(target)).keys()) {
    throw new ValidationError(`query.${key}`, "is not a known parameter");
  }
}

/** Throws if the request has a body (a length other than 0, or chunks): for routes that take none (no GET or DELETE takes one). */
export function refuseBody(method: string, headers: IncomingHttpHeaders): void {
  const length = headers["content-length"];
  if (headers["transfer-encoding"] !== undefined || (length !== undefined && Number(length) !== 0)) {
    throw new ValidationError("body", `${method} takes no body`);
  }
}
