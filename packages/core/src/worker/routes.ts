/** Route changes and listings, on the namespace's socket. */
import type { Message, Request } from "@neslink/codec-wasm";
import type { RouteActionSpec } from "../actions/route-actions.js";
import type { NetlinkSocket, RequestBody } from "../netlink/socket.js";
import { hasErrno } from "../errno.js";
import { indexOfLink } from "./link-lookup.js";
import { routeRefusal, transactOne } from "./refusals.js";

export function runRouteAction(socket: NetlinkSocket, action: RouteActionSpec): unknown {
  if (action.kind === "routes") {
    const { family, protocol, table } = action;
    if (protocol === undefined && table === undefined) {
      return socket.dump({ type: "getRouteDump", family }, "RTM_GETROUTE").flatMap((m) => (m.kind === "route" ? [m.route] : []));
    }
    let messages: Message[];
    try {
      messages = socket.strictDump({ type: "getRouteDump", family, protocol, table }, "RTM_GETROUTE");
    } catch (err) {
      // A one-family dump of a table that does not exist is refused ("FIB table does not exist"); it holds no route.
      if (table !== undefined && hasErrno(err, "ENOENT")) return [];
      throw err;
    }
    // The kernel filters on a strict socket; one that cannot (before 4.20) sends every route, dropped here.
    return messages.flatMap((m) =>
      m.kind === "route" && (protocol === undefined || m.route.protocol === protocol) && (table === undefined || m.route.table === table)
        ? [m.route]
        : [],
    );
  }
  const { family, dst, dstLen, via, dev, metric, table } = action.route;
  const request = {
    type: action.op === "delete" ? "delRoute" : "newRoute",
    family,
    ...(dst !== undefined && { dst, dstLen }),
    ...(via !== undefined && { gateway: via }),
    ...(dev !== undefined && { oifIndex: indexOfLink(socket, dev) }),
    ...(metric !== undefined && { metric }),
    ...(table !== undefined && { table }),
    ...(action.op === "replace" && { replace: true }),
  } as Extract<Request, { type: "newRoute" | "delRoute" }>;
  const label = action.op === "delete" ? "RTM_DELROUTE" : "RTM_NEWROUTE";
  transactOne(socket, { request: request as RequestBody, label }, (err) => routeRefusal(action.op, action.route, err));
  return null;
}
