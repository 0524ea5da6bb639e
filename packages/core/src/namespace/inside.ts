/**
 * A netlink socket of another namespace opened from the calling thread: the
 * thread steps in for socket(2) and straight back (brief-switch.ts), and the
 * socket acts in that namespace wherever it is used. Shared by the work done
 * from the calling thread (here.ts) and its reads (read.ts); callers check
 * mayLeaveBriefly first.
 */
import { NamespaceEnterError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { awayBriefly } from "./brief-switch.js";
import { inTurn } from "./in-turn.js";
import type { NsProvider } from "./providers.js";
import { openTarget } from "./target.js";

/** A socket opened inside a namespace: `own`, the calling thread's; else `enter` switches the thread there for it. */
export function socketIn(own: boolean, enter: () => void): NetlinkSocket {
  return own ? new NetlinkSocket() : awayBriefly(enter, () => new NetlinkSocket());
}

/**
 * A socket of the provider's namespace, opened from here, failing as the
 * pool and its worker fail: a namespace not there or not one (from
 * openTarget, as the pool's), or one that cannot be entered (a
 * NamespaceEnterError), as they are; the socket's own failure (EMFILE)
 * given to `place`, which says how the caller reports it.
 */
export function openInside(provider: NsProvider, place: (err: unknown) => Error): NetlinkSocket {
  const { fd, own } = openTarget(provider);
  try {
    return socketIn(own, () => {
      try {
        libc.setns(fd, libc.CLONE_NEWNET, "enter");
      } catch (err) {
        throw new NamespaceEnterError(provider.kind, true, err);
      }
    });
  } catch (err) {
    throw err instanceof NamespaceEnterError ? err : place(err);
  } finally {
    libc.close(fd);
  }
}

/** `use` given a socket opened inside the provider's namespace, in turn with the calling thread's other such calls (in-turn.ts); closed once `use` has settled. */
export function withInside<T>(
  provider: NsProvider,
  place: (err: unknown) => Error,
  use: (socket: NetlinkSocket) => T | Promise<T>,
): Promise<T> {
  return inTurn(async () => {
    const socket = openInside(provider, place);
    try {
      return await use(socket);
    } finally {
      socket.close();
    }
  });
}
