/**
 * Whole listings of a namespace's links and addresses on a socket: of the
 * socket's own namespace, or of the one a TargetedSocket is aimed at.
 */
import type { Address, Link } from "@neslink/codec-wasm";
import type { NetlinkSocket } from "./socket.js";

/**
 * IFLA_EXT_MASK for link requests: RTEXT_FILTER_SKIP_STATS. A Link carries
 * no counters and no VF list, so the kernel need not gather either (a quarter
 * of a link dump's bytes).
 */
export const LINK_EXT_MASK = 1 << 3;

export function listLinks(socket: NetlinkSocket): Link[] {
  return socket
    .dump({ type: "getLinkDump", extMask: LINK_EXT_MASK }, "RTM_GETLINK")
    .flatMap((m) => (m.kind === "link" ? [m.link] : []));
}

/** `family`: AF_INET, AF_INET6 or 0 for both. */
export function listAddrs(socket: NetlinkSocket, family = 0): Address[] {
  return socket
    .dump({ type: "getAddrDump", family }, "RTM_GETADDR")
    .flatMap((m) => (m.kind === "address" ? [m.address] : []));
}
