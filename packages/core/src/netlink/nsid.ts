/**
 * Namespace ids (nsids): the numbers one namespace gives others. A socket can
 * read another namespace with no thread switching by naming it with the id
 * its own namespace gives it (IFLA_TARGET_NETNSID, IFA_TARGET_NETNSID).
 */
import { hasErrno } from "../errno.js";
import { NetlinkError } from "../errors.js";
import type { Message } from "@neslink/codec-wasm";
import type { NetlinkSocket } from "./socket.js";

/** The id the socket's namespace gives each namespace open as `fds`, asked in one go; -1 for one it gives none. */
export function getNsids(socket: NetlinkSocket, fds: readonly number[]): number[] {
  return socket.transact(fds.map(getNsidOf)).map(idIn);
}

/** The id the socket's namespace gives the namespace open as `fd`; -1 if none. */
export function getNsid(socket: NetlinkSocket, fd: number): number {
  return getNsids(socket, [fd])[0] as number;
}

const getNsidOf = (fd: number) => ({ request: { type: "getNsid", nsFd: fd }, label: "RTM_GETNSID" }) as const;

/** The id a RTM_GETNSID's reply gives; -1 for none. */
function idIn(reply: readonly Message[] | undefined): number {
  const msg = reply?.[0];
  return msg?.kind === "nsid" && msg.nsid !== null ? msg.nsid : -1;
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
 * nsidOf for each of `fds` (undefined: left out) at once: a datagram asks them all, and one more gives an id to those
 * without, as nsidOf does. -1 where none could be had: the namespace is on its way out (the kernel gives it no id)
 * or was left out.
 */
export function nsidsOf(socket: NetlinkSocket, fds: readonly (number | undefined)[]): number[] {
  const ids = fds.map(() => -1);
  /** Asks the ids of the namespaces at `indexes`; returns those that have none yet (refused ones are left at -1). */
  const ask = (indexes: readonly number[]) => {
    const { replies, errors } = socket.transactEach(indexes.map((i) => getNsidOf(fds[i] as number)));
    indexes.forEach((i, k) => {
      if (errors[k] === undefined) ids[i] = idIn(replies[k]);
    });
    return indexes.filter((i, k) => errors[k] === undefined && ids[i] === -1);
  };
  const unnamed = ask(fds.flatMap((fd, i) => (fd === undefined ? [] : [i])));
  if (unnamed.length === 0) return ids;
  const { errors } = socket.transactEach(
    unnamed.map((i) => ({ request: { type: "newNsid", nsFd: fds[i] as number }, label: "RTM_NEWNSID" })),
  );
  // EEXIST: someone else gave it one in between, the one to use.
  ask(unnamed.filter((_, k) => errors[k] === undefined || hasErrno(errors[k], "EEXIST")));
  return ids;
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
