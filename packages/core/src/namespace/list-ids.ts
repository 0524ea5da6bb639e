/**
 * Named namespaces as `ip -j netns list` gives them: each with the id (nsid)
 * the calling thread's namespace gives it, if it has one. The ids are only
 * asked for (RTM_GETNSID, as ip asks), never given: listing changes nothing.
 * Read on a socket of the calling thread's namespace, opened and closed here,
 * with the entries opened as every namespace entry is (entry.ts), a batch at
 * a time so that a mount dir of thousands holds no more descriptors than that.
 */
import { NotANamespaceError, NotFoundError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { getNsids } from "../netlink/nsid.js";
import { NetlinkSocket } from "../netlink/socket.js";
import type { NetnsJSON } from "../shapes/netns.js";
import { absolutePath } from "../validate/validate.js";
import { openNamespace } from "./entry.js";
import { listNamed } from "./list.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

/** Entries open at once: each is a descriptor until its batch's ids are read (and one datagram of requests holds them). */
const BATCH = 64;

/** The entry's namespace open, or undefined if it is no longer one (deleted, or replaced, since it was listed). */
function opened(path: string): number | undefined {
  try {
    return openNamespace(path);
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof NotANamespaceError) return undefined;
    throw err;
  }
}

/** `names` (entries of `dir`) as listed, each with the id `socket`'s namespace gives it if it has one. */
function withIds(socket: NetlinkSocket, dir: string, names: readonly string[]): NetnsJSON[] {
  const fds = names.map((name) => opened(`${dir}/${name}`));
  try {
    const ids = getNsids(
      socket,
      fds.filter((fd) => fd !== undefined),
    );
    let next = 0;
    return names.map((name, i) => {
      const id = fds[i] === undefined ? -1 : (ids[next++] as number);
      return id < 0 ? { name } : { name, id };
    });
  } finally {
    for (const fd of fds) if (fd !== undefined) libc.close(fd);
  }
}

/** The namespaces in `dir` (default /run/netns), sorted, as `ip -j netns list` gives them: `{ name, id? }`. */
export function listNetns(dir: string = DEFAULT_NETNS_DIR): NetnsJSON[] {
  const at = absolutePath("dir", dir);
  const names = listNamed(at);
  if (names.length === 0) return [];
  const socket = new NetlinkSocket({ brief: true });
  try {
    const listed: NetnsJSON[] = [];
    for (let start = 0; start < names.length; start += BATCH) listed.push(...withIds(socket, at, names.slice(start, start + BATCH)));
    return listed;
  } finally {
    socket.close();
  }
}
