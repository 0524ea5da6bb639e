/**
 * The actions that only talk to a namespace's netlink socket: any thread
 * holding a socket opened in the namespace runs them alike, a worker inside
 * it (actions.ts) or the calling thread (here.ts). One dispatch for both.
 */
import type { Link } from "@neslink/codec-wasm";
import type { NsActionSpec } from "../actions/ns-actions.js";
import * as libc from "../ffi/libc.js";
import { openProviderNs } from "../namespace/entry.js";
import { listAddrs, listLinks } from "../netlink/dumps.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { runLinkDo } from "./link-do.js";
import { findLink } from "./link-lookup.js";
import { findThere, type There } from "./new-link.js";
import { groupDeleteRefusal, moveRefusal, transactOne } from "./refusals.js";
import { runRouteAction } from "./routes.js";
import { runsUserCode } from "./user-code.js";

export type SocketAction = Extract<NsActionSpec, { kind: "links" | "link" | "addrs" | "deleteGroup" | "route" | "routes" | "getLink" }>;

const SOCKET_KINDS: ReadonlySet<string> = new Set<SocketAction["kind"]>([
  "links",
  "link",
  "addrs",
  "deleteGroup",
  "route",
  "routes",
  "getLink",
]);

/** Whether the action needs nothing but the namespace's socket: no user code, no file opened in the namespace. */
export function isSocketOnly(action: NsActionSpec): action is SocketAction {
  return SOCKET_KINDS.has(action.kind) && !runsUserCode(action);
}

/**
 * Runs a socket action (a na.link with custom actions too, on a thread that is inside for them) on the namespace's
 * socket; a link it creates in another namespace is found there through `there`.
 */
export function runSocketAction(socket: NetlinkSocket, action: SocketAction, there?: There): unknown {
  switch (action.kind) {
    case "links":
      return listLinks(socket);
    case "link":
      return runLinkDo(socket, action.link, action.actions, there);
    case "addrs":
      return listAddrs(socket, action.family);
    case "deleteGroup":
      transactOne(socket, { request: { type: "delLink", group: action.group }, label: "RTM_DELLINK (group)" }, (err) =>
        groupDeleteRefusal(action.group, err),
      );
      return null;
    case "route":
    case "routes":
      return runRouteAction(socket, action);
    case "getLink":
      return findLink(socket, action.link);
  }
}

/**
 * na.setLinkNs from the source namespace's socket: the link is found there
 * and moved into the target (RTM_NEWLINK with its descriptor), then found
 * again under its name through `there`, given the target's open descriptor,
 * on a socket of the target's (a worker enters it; the calling thread opens
 * one inside it).
 */
export async function moveLinkFrom(socket: NetlinkSocket, spec: Extract<NsActionSpec, { kind: "setLinkNs" }>, there: There): Promise<Link> {
  const link = findLink(socket, spec.link);
  const target = openProviderNs(spec.ns, process.pid);
  try {
    transactOne(socket, { request: { type: "setLinkNs", index: link.index, nsFd: target }, label: "RTM_NEWLINK" }, (err) =>
      moveRefusal(link.name, err),
    );
    return await findThere(there, target, link.name);
  } finally {
    libc.close(target);
  }
}
