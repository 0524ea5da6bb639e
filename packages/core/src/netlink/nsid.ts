/**
 * Namespace ids (nsids): the numbers one namespace gives others. A socket can
 * read another namespace with no thread switching by naming it with the id
 * its own namespace gives it (IFLA_TARGET_NETNSID, IFA_TARGET_NETNSID).
 */
import { hasErrno } from "../errno.js";
import { NetlinkError } from "../errors.js";
import type { NetlinkSocket } from "./socket.js";

/** The id the socket's namespace gives each namespace open as `fds`, asked in one go; -1 for one it gives none. */
export function getNsids(socket: NetlinkSocket, fds: readonly number[]): number[] {
  const replies = socket.transact(fds.map((fd) => ({ request: { type: "getNsid", nsFd: fd }, label: "RTM_GETNSID" }) as const));
  return replies.map((reply) => {
    const msg = reply[0];
    return msg?.kind === "nsid" && msg.nsid !== null ? msg.nsid : -1;
  });
}

/** The id the socket's namespace gives the namespace open as `fd`; -1 if none. */
export function getNsid(socket: NetlinkSocket, fd: number): number {
  return getNsids(socket, [fd])[0] as number;
}

/**
 * The id the socket's namespace gives the namespace open as `fd`, given one
 * first if it has none (as `ip netns set NAME auto`). The id stays: it lives
 * as long as the namespace, as every id the kernel gives does.
 */
export function nsidOf(socket: NetlinkSocket, fd: number): number {
  const known = getNsid(socket, fd);
  if (known >= 0) return known;
  try {
    socket.transact([{ request: { type: "newNsid", nsFd: fd }, label: "RTM_NEWNSID" }]);
  } catch (err) {
    // Someone else gave it one in between: fine, it is the one to use.
    if (!(err instanceof NetlinkError && hasErrno(err, "EEXIST"))) throw err;
  }
  return getNsid(socket, fd);
}

/**
 * For the namespace the socket's own knows as `target`: each id it gives
 * another namespace, by the id the socket's namespace gives that same one
 * (namespaces the socket's has no id for are left out). Asked strictly
 * (NETLINK_GET_STRICT_CHK), whatever the socket's setting: otherwise the
 * kernel ignores the target and lists the socket's own ids.
 */
export function idsSeenFrom(socket: NetlinkSocket, target: number): Map<number, number> {
  const ids = new Map<number, number>();
  for (const msg of socket.strictDump({ type: "getNsidDump", targetNsid: target }, "RTM_GETNSID")) {
    if (msg.kind === "nsid" && msg.nsid !== null && msg.currentNsid !== undefined && msg.currentNsid >= 0)
      ids.set(msg.currentNsid, msg.nsid);
  }
  return ids;
}
