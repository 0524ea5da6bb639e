/**
 * Which of a lab's namespaces each veth's far end lives in. A link names the
 * namespace of its peer by an nsid, the number its own namespace gives that
 * one: numbers of different namespaces do not compare, and indexes alone pair
 * ends wrongly wherever pairs repeat (in a chain of routers each link joins
 * an index 3 to an index 2). So one namespace of the lab, the reference, is
 * given an id for each of the others, and the kernel translates every other
 * one's ids into the reference's (a RTM_GETNSID dump aimed at it). The ids
 * given stay inside the lab's namespace and go with it; the caller's
 * namespace is given none.
 */
import * as libc from "../ffi/libc.js";
import { mayLeaveBriefly } from "../namespace/brief-switch.js";
import { withInside } from "../namespace/inside.js";
import * as ns from "../namespace/providers.js";
import { openTarget } from "../namespace/target.js";
import { idsSeenFrom, nsidOf } from "../netlink/nsid.js";
import type { NetlinkSocket } from "../netlink/socket.js";

/** For a namespace of the lab: the lab's namespace (by entry name) each of its nsids names. */
export type PeerNamespaces = ReadonlyMap<string, ReadonlyMap<number, string>>;

/** The id the reference (the socket's namespace) gives the namespace at entry `netns`, given one if it has none; undefined if it is gone. */
function idIn(socket: NetlinkSocket, netns: string): number | undefined {
  let fd: number;
  try {
    ({ fd } = openTarget(ns.name(netns)));
  } catch {
    return undefined;
  }
  try {
    return nsidOf(socket, fd);
  } catch {
    // Being destroyed: no id is given to a namespace on its way out.
    return undefined;
  } finally {
    libc.close(fd);
  }
}

/** For the namespace the reference knows as `id`: each id it gives, with the reference's for the same namespace; empty if it went meanwhile. */
function translation(socket: NetlinkSocket, id: number): Map<number, number> {
  try {
    return idsSeenFrom(socket, id);
  } catch {
    return new Map();
  }
}

/**
 * For each of `netns` (the lab's namespaces, read as they are now), the lab's namespace each of its nsids names; a
 * namespace that went meanwhile, or an id naming one outside the lab, is left out. Empty where the calling thread may
 * not step into another namespace (mayLeaveBriefly) to open the reference's socket, or the reference cannot be
 * opened (gone since it was read): what it tells only makes the pairing exact, and graph pairs by indexes without it.
 */
export async function peerNamespaces(netns: readonly string[]): Promise<PeerNamespaces> {
  const [reference] = netns;
  if (reference === undefined || !mayLeaveBriefly()) return new Map();
  return withInside(
    ns.name(reference),
    (err) => err as Error,
    (socket) => {
      const named = new Map<number, string>();
      const ids = new Map<string, number>();
      // The reference too: a namespace may give itself an id, which is how the others' links to it are told.
      for (const name of netns) {
        const id = idIn(socket, name);
        if (id === undefined || id < 0) continue;
        named.set(id, name);
        ids.set(name, id);
      }
      const peers = new Map<string, Map<number, string>>([[reference, named]]);
      for (const [name, id] of ids) {
        if (name === reference) continue;
        const own = new Map<number, string>();
        // Each of its ids with the reference's for the same namespace.
        for (const [referenceId, theirs] of translation(socket, id)) {
          const peer = named.get(referenceId);
          if (peer !== undefined) own.set(theirs, peer);
        }
        peers.set(name, own);
      }
      return peers;
    },
  ).catch(() => new Map());
}
