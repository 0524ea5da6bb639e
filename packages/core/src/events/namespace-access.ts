/**
 * What the listener thread does with a watched namespace besides hearing it:
 * give it an nsid (so the event socket hears it) and dump its state (to seed
 * and re-seed the stream). Neither keeps a descriptor on the namespace
 * afterwards: a held descriptor or socket would keep it alive after
 * `ip netns del`, and its end (RTM_DELNSID) would never come.
 */
import type { Message } from "@neslink/codec-wasm";
import { hasErrno } from "../errno.js";
import { NamespaceReturnError, NetlinkError } from "../errors.js";
import { identityOfFd, keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { openProviderNs } from "../namespace/entry.js";
import type { ExistingNsProvider } from "../namespace/providers.js";
import { getNsid, nsidOf } from "../netlink/nsid.js";
import { NetlinkSocket, type RequestBody } from "../netlink/socket.js";
import type { DescriptorBits } from "../worker/descriptors.js";
import type { WatchGroup } from "./types.js";

/** RTEXT_FILTER_SKIP_STATS: the stream carries no counters. */
const SKIP_STATS = 1 << 3;

/** The dump requests that give the state of the groups watched. */
const DUMPS: Record<Exclude<WatchGroup, "nsid">, [RequestBody, string]> = {
  link: [{ type: "getLinkDump", extMask: SKIP_STATS }, "RTM_GETLINK"],
  address: [{ type: "getAddrDump" }, "RTM_GETADDR"],
  route: [{ type: "getRouteDump" }, "RTM_GETROUTE"],
  neighbour: [{ type: "getNeighDump" }, "RTM_GETNEIGH"],
};

export interface Opened {
  fd: number;
  /** What tells the namespace from every other (namespaceKey). */
  key: string;
}

/**
 * What tells a namespace apart: its NS_GET_ID (Linux 6.12+), never given to
 * another in a boot. Its inode number is: the kernel gives a destroyed one's
 * to the next namespace made (`ip netns del a; ip netns add a` can make an
 * `a` of the same dev:ino), so a namespace whose end was not heard (dropped by
 * an overflow) would be taken for the one made after it. Older kernels have
 * only dev:ino, and that mistake.
 */
function namespaceKey(fd: number): string {
  const id = libc.nsId(fd);
  return id === undefined ? keyOfIdentity(identityOfFd(fd)) : `id:${id}`;
}

export class NamespaceAccess {
  /** This thread's own namespace, to come back to after each switch. */
  readonly #origin: number;
  readonly originKey: string;
  /** A socket in this thread's namespace, for nsid requests and for dumping it. */
  readonly control: NetlinkSocket;
  readonly #fds: DescriptorBits;

  constructor(fds: DescriptorBits) {
    this.#fds = fds;
    this.#origin = fds.add(libc.openNonBlocking("/proc/thread-self/ns/net"));
    this.originKey = namespaceKey(this.#origin);
    this.control = new NetlinkSocket();
    fds.add(this.control.fd);
  }

  close(): void {
    this.#fds.delete(this.control.fd);
    this.control.close();
    this.#closeFd(this.#origin);
  }

  #closeFd(fd: number): void {
    this.#fds.delete(fd);
    libc.close(fd);
  }

  /**
   * Opens a provider's namespace as every other part of neslink does
   * (entry.ts): a symlink in a mount dir, a FIFO, a plain file, a namespace of
   * another type (/proc/PID/ns/mnt) is refused with NotANamespaceError, a
   * missing one with NotFoundError, a handle's descriptor that no longer
   * refers to the handle's namespace with a ValidationError.
   */
  open(provider: ExistingNsProvider): Opened {
    const fd = this.#fds.add(openProviderNs(provider, process.pid));
    try {
      return { fd, key: namespaceKey(fd) };
    } catch (err) {
      this.#closeFd(fd);
      throw err;
    }
  }

  release(opened: Opened): void {
    this.#closeFd(opened.fd);
  }

  /** The id this thread's namespace gives the namespace open as `fd`, given one first if it has none (as `ip netns set NAME auto`). */
  nsidOf(fd: number): number {
    return nsidOf(this.control, fd);
  }

  /**
   * Whether this thread's namespace still gives the id `nsid` to a namespace.
   * The kernel takes an id back as it destroys the namespace, and says so in
   * an RTM_DELNSID that an overflow may drop: this asks instead, holding
   * nothing. An nsid dump aimed at an id nothing has is refused (EINVAL).
   */
  hasNsid(nsid: number): boolean {
    try {
      this.control.strictDump({ type: "getNsidDump", targetNsid: nsid }, "RTM_GETNSID");
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && hasErrno(err, "EINVAL")) return false;
      throw err;
    }
  }

  /** A handle of the namespace open as `fd` that names it without holding it (libc.namespaceHandle); undefined before Linux 6.18. */
  handleOf(fd: number): Uint8Array | undefined {
    return libc.namespaceHandle(fd);
  }

  /**
   * Whether the namespace `handle` names still lives, asked holding it for an
   * instant only. Exact where nothing else is: its path may name another
   * namespace by now, or none while it lives on, held elsewhere; and its nsid
   * is given to another once free. undefined without a handle: cannot tell.
   */
  lives(handle: Uint8Array | undefined): boolean | undefined {
    if (handle === undefined) return undefined;
    const fd = libc.openNamespaceHandle(handle);
    if (fd === undefined) return false;
    this.#closeFd(this.#fds.add(fd));
    return true;
  }

  /**
   * Whether the provider's namespace is still the one keyed `key` (namespaceKey), and this
   * thread's namespace gives it `nsid`: then it lives (its file holds it), and
   * an RTM_DELNSID for that id told of another. Opened for a moment only.
   */
  holds(provider: ExistingNsProvider, key: string, nsid: number): boolean {
    let opened: Opened;
    try {
      opened = this.open(provider);
    } catch {
      return false; // its file is gone
    }
    try {
      return opened.key === key && getNsid(this.control, opened.fd) === nsid;
    } finally {
      this.release(opened);
    }
  }

  /** The state of `groups` in the namespace open as `fd` (undefined: this thread's own), as dump messages. */
  dump(fd: number | undefined, groups: readonly WatchGroup[]): Message[] {
    const socket = fd === undefined ? this.control : this.#socketIn(fd);
    try {
      return groups.flatMap((g) => (g === "nsid" ? [] : socket.dump(...DUMPS[g])));
    } finally {
      if (socket !== this.control) {
        this.#fds.delete(socket.fd);
        socket.close();
      }
    }
  }

  /** A socket created inside the namespace; the thread comes straight back. Failing to come back is fatal for the thread. */
  #socketIn(fd: number): NetlinkSocket {
    libc.setns(fd, libc.CLONE_NEWNET, "enter");
    let socket: NetlinkSocket | undefined;
    let failure: unknown;
    try {
      socket = new NetlinkSocket();
      this.#fds.add(socket.fd);
    } catch (err) {
      failure = err;
    }
    try {
      libc.setns(this.#origin, libc.CLONE_NEWNET, "return");
    } catch (err) {
      throw new NamespaceReturnError(err);
    }
    if (failure !== undefined || socket === undefined) throw failure;
    return socket;
  }
}
