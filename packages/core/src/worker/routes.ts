/** Route changes and listings, on the namespace's socket. */
import type { Request } from "@neslink/codec-wasm";
import type { RouteActionSpec } from "../actions/route-actions.js";
import type { NetlinkSocket, RequestBody } from "../netlink/socket.js";
import { indexOfLink } from "./link-lookup.js";
import { routeRefusal, transactOne } from "./refusals.js";

export function runRouteAction(socket: NetlinkSocket, action: RouteActionSpec): unknown {
  if (action.kind === "routes") {
    const { family, protocol } = action;
    if (protocol === undefined) {
      return socket.dump({ type: "getRouteDump", family }, "RTM_GETROUTE").flatMap((m) => (m.kind === "route" ? [m.route] : []));
    }
    // The kernel filters by origin on a strict socket; one that cannot (before 4.20) sends every route, dropped here.
    return socket
      .strictDump({ type: "getRouteDump", family, protocol }, "RTM_GETROUTE")
      .flatMap((m) => (m.kind === "route" && m.route.protocol === protocol ? [m.route] : []));
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
