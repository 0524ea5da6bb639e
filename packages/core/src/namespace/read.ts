/**
 * Links and addresses of a namespace, read from the calling thread with no
 * worker: what a one-shot reader (the CLI's `link list`, `addr list`) needs,
 * without the start-up of a pool. The namespace file is opened and checked
 * as a worker would (namespace/entry.ts), and it and the socket are closed
 * before returning.
 *
 * Where the thread may step into the namespace (CAP_SYS_ADMIN and a way
 * back: brief-switch.ts), the socket is opened inside it (inside.ts), and
 * the kernel answers as it answers a worker there. Otherwise a socket in the
 * caller's namespace names the other one by the nsid it gives it
 * (IFLA_TARGET_NETNSID, IFA_TARGET_NETNSID), and the thread never leaves its
 * namespace. Side effect of that way, as `ip netns set NAME auto`: a
 * namespace the caller's has no id for gets one (the kernel keeps it while
 * the namespace lives), and so may the namespaces its veth peers live in
 * (the kernel gives those to report IFLA_LINK_NETNSID).
 */
import type { Address, Link } from "@neslink/codec-wasm";
import { links } from "../actions/ns-actions.js";
import * as libc from "../ffi/libc.js";
import { listAddrs, listLinks } from "../netlink/dumps.js";
import { idsSeenFrom } from "../netlink/nsid.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { TargetedSocket } from "../netlink/targeted.js";
import { listingFamily } from "../validate/net.js";
import { mayLeaveBriefly } from "./brief-switch.js";
import { inTurn } from "./in-turn.js";
import { withInside } from "./inside.js";
import type { NsProvider } from "./providers.js";
import { openTarget } from "./target.js";

/** Opens the provider's namespace, gives `use` a socket aimed at it, and closes both whatever happens (once `use` has settled). */
export function withTargeted<T>(provider: NsProvider, use: (socket: TargetedSocket) => T | Promise<T>): Promise<T> {
  // In turn with the calling thread's other such calls (in-turn.ts): one namespace file and socket open at a time.
  return inTurn(async () => {
    const { fd, own } = openTarget(provider);
    try {
      const socket = new TargetedSocket(fd, own);
      try {
        return await use(socket);
      } finally {
        socket.close();
      }
    } finally {
      libc.close(fd);
    }
  });
}

/**
 * How a link of the target reads from inside it. A targeted read gives
 * IFLA_LINK_NETNSID as the caller's namespace numbers the peer's; a read
 * from inside gives the target's own number for it. The view gives the
 * target's own (its ids read once, when first needed), so that a link reads
 * the same either way; undefined for a link whose peer's namespace the
 * target has no id for (only a read inside gives it one).
 */
export function insideView(socket: TargetedSocket): (link: Link) => Link | undefined {
  const { target } = socket;
  if (target === undefined) return (link) => link;
  let ids: Map<number, number> | undefined;
  return (link) => {
    if (link.linkNetnsid === null) return link;
    ids ??= idsSeenFrom(socket, target);
    const own = ids.get(link.linkNetnsid);
    return own === undefined ? undefined : { ...link, linkNetnsid: own };
  };
}

/** A read's own failure (a socket it could not open) is thrown as it is, as from a socket aimed at the namespace. */
const raw = (err: unknown) => err as Error;

/**
 * The links of an existing namespace (any provider but new, newNamed and
 * custom), as nsDo(provider, na.links()) gives them, read without a worker.
 * In the rare case the namespace gives no id to one of its links' peer
 * namespaces, the read goes through a worker after all (only a dump from
 * inside has the kernel give one).
 */
export async function readLinks(provider: NsProvider): Promise<Link[]> {
  // Read from inside where the thread may step in: the kernel numbers a peer's namespace as the target does, and no id is given.
  if (mayLeaveBriefly()) return withInside(provider, raw, listLinks);
  const read = await withTargeted(provider, (socket) => {
    const view = insideView(socket);
    const seen = listLinks(socket).map(view);
    return seen.every((link) => link !== undefined) ? (seen as Link[]) : undefined;
  });
  if (read !== undefined) return read;
  const { nsDo } = await import("../nsdo.js");
  return (await nsDo(provider, links())).results[0];
}

/** The addresses of an existing namespace, as nsDo(provider, na.addrs(family)) gives them, read without a worker. */
export async function readAddrs(provider: NsProvider, family: 4 | 6 | "all" = "all"): Promise<Address[]> {
  const read = (socket: NetlinkSocket) => listAddrs(socket, listingFamily("family", family));
  return mayLeaveBriefly() ? withInside(provider, raw, read) : withTargeted(provider, read);
}
