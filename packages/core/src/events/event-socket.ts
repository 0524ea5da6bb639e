/**
 * The one socket that hears every watched namespace: NETLINK_LISTEN_ALL_NSID
 * delivers the notifications of every namespace that has an nsid in the
 * socket's own, each tagged with that nsid in a control message (none for the
 * socket's own namespace). One descriptor, however many namespaces.
 */

import { hasErrno } from "../errno.js";
import * as libc from "../ffi/libc.js";
import type { WatchGroup } from "./types.js";

/** RTNLGRP_* numbers per group (linux/rtnetlink.h). */
const GROUP_NUMBERS: Record<WatchGroup, number[]> = {
  link: [1],
  neighbour: [3],
  address: [5, 9],
  route: [7, 11],
  nsid: [28],
};
const RTNLGRP_NSID = 28;
const SO_RCVBUFFORCE = 33;
const DATAGRAM_BUFFER = 1 << 18;

function int32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  return b;
}

/** A datagram: its bytes (valid until the next receive) and the nsid of the namespace it came from ("self": the socket's own). */
export interface Datagram {
  nsid: number | "self";
  bytes: Uint8Array;
}

export class EventSocket {
  readonly fd: number;
  /** Why the socket hears only its own namespace (NETLINK_LISTEN_ALL_NSID refused), if it does. */
  allNamespaces: Error | undefined;
  readonly #receiver = new libc.MessageReceiver(DATAGRAM_BUFFER);

  /** Subscribes to `groups`, and always to RTNLGRP_NSID: RTM_DELNSID is how a watched namespace's end is seen. */
  constructor(groups: readonly WatchGroup[], receiveBuffer: number) {
    this.fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
    try {
      try {
        // Root may go past net.core.rmem_max; the kernel doubles either value for its bookkeeping.
        libc.setsockopt(this.fd, libc.SOL_SOCKET, SO_RCVBUFFORCE, int32(receiveBuffer), "SO_RCVBUFFORCE");
      } catch {
        libc.setsockopt(this.fd, libc.SOL_SOCKET, libc.SO_RCVBUF, int32(receiveBuffer), "SO_RCVBUF");
      }
      libc.bind(this.fd, new Uint8Array([libc.AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      try {
        libc.setsockopt(
          this.fd,
          libc.SOL_NETLINK,
          libc.NETLINK_LISTEN_ALL_NSID,
          int32(1),
          "NETLINK_LISTEN_ALL_NSID: hearing other namespaces needs CAP_NET_BROADCAST",
        );
      } catch (err) {
        // Without CAP_NET_BROADCAST only the socket's own namespace can be heard; other ones are refused when added.
        this.allNamespaces = err as Error;
      }
      const numbers = new Set([RTNLGRP_NSID, ...groups.flatMap((g) => GROUP_NUMBERS[g])]);
      for (const n of numbers)
        libc.setsockopt(this.fd, libc.SOL_NETLINK, libc.NETLINK_ADD_MEMBERSHIP, int32(n), `NETLINK_ADD_MEMBERSHIP ${n}`);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /**
   * The next queued datagram, "empty" when none is, or "overflow" when the
   * kernel dropped notifications since the last receive (ENOBUFS): what was
   * dropped, and from which namespace, is unknown.
   */
  receive(): Datagram | "empty" | "overflow" {
    let n: number;
    try {
      n = this.#receiver.receive(this.fd);
    } catch (err) {
      if (hasErrno(err, "ENOBUFS")) return "overflow";
      throw err;
    }
    if (n < 0) return "empty";
    // A notification longer than the buffer cannot be decoded: as good as dropped.
    if (n > DATAGRAM_BUFFER) return "overflow";
    const nsid = this.#receiver.controlInt(libc.SOL_NETLINK, libc.NETLINK_LISTEN_ALL_NSID);
    return { nsid: nsid ?? "self", bytes: this.#receiver.data.subarray(0, n) };
  }

  close(): void {
    libc.close(this.fd);
    this.#receiver.free();
  }
}
