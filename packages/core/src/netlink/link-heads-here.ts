/**
 * The links of the calling thread's current namespace, read down to their
 * heads (index, group, alias; the codec's decodeLinkHeads) through a socket
 * opened and closed here: what a guarded destroy reads of every namespace it
 * may delete, hundreds of times in a row, each on a socket used once.
 *
 * It does without what a NetlinkSocket's dump pays for on every call, which
 * in a worker's first few hundred runs (interpreted, not yet optimised) cost
 * more than the kernel's own work: no socket options (a dump's errors need
 * no extended ACK, and no receive timeout is needed, see below), the request
 * encoded once for the process, and no batch bookkeeping (measured at N=500:
 * 35 to 45 ms less CPU time per destroy, out of ~200).
 */
import { decodeLinkHeads, encodeRequests, type LinkHead } from "@neslink/codec-wasm";
import { errno } from "../errno.js";
import { DumpInterruptedError, NetlinkError, SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { LINK_EXT_MASK } from "./dumps.js";
import { loneSuccess } from "./lone-success.js";
import { countRequest } from "./socket.js";

const LABEL = "RTM_GETLINK";
const SEQ = 1;
const ATTEMPTS = 5;
/** A namespace's dump comes in datagrams of at most a page or so each; a larger one is reported, not cut. */
const BUFFER = 1 << 16;
const MSG_TRUNC = 0x20;

const buffer = new Uint8Array(BUFFER);
const view = new DataView(buffer.buffer);
let request: Uint8Array | undefined;

/**
 * The heads of every link of the thread's namespace. Throws what the kernel
 * answered (a NetlinkError), a SystemCallError, or DumpInterruptedError if
 * the links changed under every one of a few dumps.
 */
export function readLinkHeadsHere(): LinkHead[] {
  request ??= encodeRequests([{ type: "getLinkDump", extMask: LINK_EXT_MASK, seq: SEQ }]);
  const fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const heads = dumpOnce(fd, request);
      if (heads !== undefined) return heads;
    }
  } finally {
    libc.close(fd);
  }
  throw new DumpInterruptedError(LABEL, ATTEMPTS);
}

/**
 * One dump to its NLMSG_DONE; undefined if the kernel flagged it torn. The
 * kernel answers a NETLINK_ROUTE request in the sender's own system call,
 * and makes each further part of a dump in the receive that makes room for
 * it: every datagram is there when asked for, so none is waited for (an
 * empty socket is the kernel's error, reported as such).
 */
function dumpOnce(fd: number, bytes: Uint8Array): LinkHead[] | undefined {
  libc.send(fd, bytes);
  countRequest("getLinkDump");
  const heads: LinkHead[] = [];
  let torn = false;
  for (;;) {
    const n = libc.recv(fd, buffer, libc.MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) throw new SystemCallError("recv", -n, `${LABEL}: no reply waiting`);
    if (n > BUFFER) throw new SystemCallError("recv", errno.EMSGSIZE, `datagram of ${n} bytes`);
    if (loneSuccess(view, n) === SEQ) return torn ? undefined : heads;
    for (const msg of decodeLinkHeads(buffer.subarray(0, n))) {
      if (msg.seq !== SEQ) continue;
      if (msg.dumpIntr) torn = true;
      if (msg.kind === "linkHead") heads.push(msg.head);
      else if (msg.kind === "done" || msg.kind === "error") {
        if (msg.errno !== 0) throw new NetlinkError(LABEL, msg.errno, msg.extAckMessage, null);
        return torn ? undefined : heads;
      }
    }
  }
}
