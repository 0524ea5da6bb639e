/**
 * Links and addresses of a namespace, read from the calling thread with no
 * worker and no namespace switch: a socket in the caller's namespace names
 * the other one by the nsid it gives it (IFLA_TARGET_NETNSID,
 * IFA_TARGET_NETNSID). The thread never leaves its namespace, so nothing
 * can strand it; the namespace file is opened and checked as a worker would
 * (namespace/entry.ts), and it and the socket are closed before returning.
 * What a one-shot reader (the CLI's `link list`, `addr list`) needs, without
 * the start-up of a pool.
 *
 * Side effect, as `ip netns set NAME auto`: a namespace the caller's has no
 * id for gets one (the kernel keeps it while the namespace lives), and so may
 * the namespaces its veth peers live in (the kernel gives those to report
 * IFLA_LINK_NETNSID).
 */
import type { Address, Link } from "@neslink/codec-wasm";
import { links } from "../actions/ns-actions.js";
import * as libc from "../ffi/libc.js";
import { listAddrs, listLinks } from "../netlink/dumps.js";
import { idsSeenFrom, nsidOf } from "../netlink/nsid.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { listingFamily } from "../validate/net.js";
import type { NsProvider } from "./providers.js";
import { openTarget } from "./target.js";

/** The reader: a socket in the caller's namespace, and the target's nsid there (undefined: the caller's own namespace). */
interface Reader {
  socket: NetlinkSocket;
  target: number | undefined;
}

/** Opens the provider's namespace, gives `read` a socket and the target, and closes both whatever happens. */
function withReader<T>(provider: NsProvider, read: (reader: Reader) => T): T {
  const { fd, own } = openTarget(provider);
  try {
    const socket = new NetlinkSocket({ strict: true });
    try {
      return read({ socket, target: own ? undefined : nsidOf(socket, fd) });
    } finally {
      socket.close();
    }
  } finally {
    libc.close(fd);
  }
}

/**
 * A targeted read gives IFLA_LINK_NETNSID as the caller's namespace numbers
 * the peer's; a read from inside gives the target's own number for it. The
 * link with the target's own (`ids`: idsSeenFrom the target), so that it
 * reads the same either way; undefined if the target has none (only a read
 * inside gives it one).
 */
export function seenInside(link: Link, ids: ReadonlyMap<number, number>): Link | undefined {
  if (link.linkNetnsid === null) return link;
  const own = ids.get(link.linkNetnsid);
  return own === undefined ? undefined : { ...link, linkNetnsid: own };
}

/** The links as read from inside (see seenInside); undefined if one of them cannot be. */
function asSeenInside(reader: Reader, links: Link[]): Link[] | undefined {
  if (reader.target === undefined || links.every((l) => l.linkNetnsid === null)) return links;
  const ids = idsSeenFrom(reader.socket, reader.target);
  const mapped = links.map((link) => seenInside(link, ids));
  return mapped.every((link) => link !== undefined) ? mapped : undefined;
}

/**
 * The links of an existing namespace (any provider but new, newNamed and
 * custom), as nsDo(provider, na.links()) gives them, read without a worker.
 * In the rare case the namespace gives no id to one of its links' peer
 * namespaces, the read goes through a worker after all (only a dump from
 * inside has the kernel give one).
 */
export async function readLinks(provider: NsProvider): Promise<Link[]> {
  const read = withReader(provider, (reader) => asSeenInside(reader, listLinks(reader.socket, reader.target)));
  if (read !== undefined) return read;
  const { nsDo } = await import("../nsdo.js");
  return (await nsDo(provider, links())).results[0];
}

/** The addresses of an existing namespace, as nsDo(provider, na.addrs(family)) gives them, read without a worker. */
export async function readAddrs(provider: NsProvider, family: 4 | 6 | "all" = "all"): Promise<Address[]> {
  return withReader(provider, ({ socket, target }) => listAddrs(socket, listingFamily("family", family), target));
}
