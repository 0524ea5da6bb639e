/**
 * One NETLINK_ROUTE socket, bound to the namespace of the thread that opened
 * it, for as long as it lives. Requests go out many per datagram; replies are
 * matched to requests by sequence number.
 *
 * Every call blocks its thread: worker threads use it, and the calling
 * thread only for short reads that need no switch (namespace/read.ts).
 */
import { decodeMessages, type Message, type Request } from "@neslink/codec-wasm";
import { errno, hasErrno } from "../errno.js";
import { DumpInterruptedError, NetlinkError, SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { encodeBatch } from "./encoded.js";
import { loneNsid, loneSuccess } from "./lone-success.js";
import type { RequestCounter } from "./request-counts.js";

/** A request with its sequence number still to be filled in. */
type WithoutSeq<R> = R extends unknown ? Omit<R, "seq"> : never;
export type RequestBody = WithoutSeq<Request>;

/**
 * A request and a short name for its errors, e.g. "RTM_GETLINK". Dumps end
 * at NLMSG_DONE and changes at their ACK; a single get (as iproute2 sends it,
 * without NLM_F_ACK) ends with its one reply.
 */
export interface Pending {
  request: RequestBody;
  label: string;
}

const endsWithReply = (request: RequestBody) => request.type === "getLink" || request.type === "getNsid";

const MSG_TRUNC = 0x20;
const RECV_BUFFER = 1 << 18;
const SOCKET_BUFFER = 1 << 21;
/**
 * Requests sent in one datagram at most. The kernel answers a datagram's
 * requests all at once, queueing each reply (an ACK costs ~1 kB of receive
 * buffer) before any is read: 10,000 changes in one datagram overflowed even
 * SOCKET_BUFFER and lost ACKs (ENOBUFS). A brief socket keeps the kernel's
 * default buffer (~200 kB), and sends few requests anyway.
 */
const PER_DATAGRAM = 512;
const PER_DATAGRAM_BRIEF = 64;
/** Replies the kernel owes us come within milliseconds; a minute of silence means something is badly wrong. */
const RECV_TIMEOUT_S = 5;
const MAX_SILENT_TIMEOUTS = 12;
const DUMP_ATTEMPTS = 5;

const recvBuffer = new Uint8Array(RECV_BUFFER);

/** Where this thread's sockets count what they send (the pool's cells; none outside a pool worker). */
let counter: RequestCounter | undefined;
export function countRequestsIn(c: RequestCounter): void {
  counter = c;
}
/** Counts a request sent on a socket that is not a NetlinkSocket (see link-heads-here.ts). */
export function countRequest(type: RequestBody["type"]): void {
  counter?.add(type);
}
const recvView = new DataView(recvBuffer.buffer);

/** Throws the first request's error, if any, with that request's index. */
function throwFirst(errors: readonly (Error | undefined)[]): void {
  const index = errors.findIndex((e) => e !== undefined);
  if (index >= 0) throw Object.assign(errors[index] as Error, { requestIndex: index });
}

function int32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  return b;
}

function timeval(seconds: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setBigInt64(0, BigInt(seconds), true);
  return b;
}

/** Each request's replies, error (undefined: it succeeded) and whether a reply to it carried NLM_F_DUMP_INTR. */
interface Exchanged {
  replies: Message[][];
  errors: (Error | undefined)[];
  interrupted: boolean[];
}

export class NetlinkSocket {
  readonly fd: number;
  /**
   * The last sequence number used, kept as an int32: it wraps as the kernel's
   * u32 does (same bits), and stays a small integer to V8, where a u32 field
   * would turn into a boxed double and deoptimize every caller of the socket.
   */
  private seq = 0;
  private closed = false;
  private readonly strict: boolean;
  private readonly perDatagram: number;

  /**
   * Opens a socket in the calling thread's current network namespace.
   * `strict`: NETLINK_GET_STRICT_CHK, as iproute2 sets it; the kernel then
   * refuses malformed dump requests instead of ignoring fields, and reads the
   * target of an nsid dump (see netlink/nsid.ts). `brief`: for a socket that
   * sends a few small requests and is closed (one per namespace, by the
   * hundred): the kernel's default buffers hold their replies, and it binds
   * itself on the first send, which spares four of its seven system calls.
   */
  constructor({ strict = false, brief = false }: { strict?: boolean; brief?: boolean } = {}) {
    this.strict = strict;
    this.perDatagram = brief ? PER_DATAGRAM_BRIEF : PER_DATAGRAM;
    this.fd = libc.socket(libc.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, libc.NETLINK_ROUTE);
    try {
      libc.setsockopt(this.fd, libc.SOL_NETLINK, libc.NETLINK_EXT_ACK, int32(1), "NETLINK_EXT_ACK");
      if (strict) libc.setsockopt(this.fd, libc.SOL_NETLINK, libc.NETLINK_GET_STRICT_CHK, int32(1), "NETLINK_GET_STRICT_CHK");
      libc.setsockopt(this.fd, libc.SOL_SOCKET, libc.SO_RCVTIMEO, timeval(RECV_TIMEOUT_S), "SO_RCVTIMEO");
      if (!brief) {
        libc.setsockopt(this.fd, libc.SOL_NETLINK, libc.NETLINK_CAP_ACK, int32(1), "NETLINK_CAP_ACK");
        libc.setsockopt(this.fd, libc.SOL_SOCKET, libc.SO_RCVBUF, int32(SOCKET_BUFFER), "SO_RCVBUF");
        libc.setsockopt(this.fd, libc.SOL_SOCKET, libc.SO_SNDBUF, int32(SOCKET_BUFFER), "SO_SNDBUF");
        libc.bind(this.fd, new Uint8Array([libc.AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      }
    } catch (err) {
      libc.close(this.fd);
      throw err;
    }
  }

  /**
   * Its requests act in the namespace it was opened in, where SIOCGIFINDEX on
   * its fd finds links too (not so for a TargetedSocket's, netlink/targeted.ts).
   */
  get local(): boolean {
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libc.close(this.fd);
  }

  /**
   * Sends every request in one datagram and returns each one's reply messages
   * (data messages only; ACKs and DONE are consumed). The first kernel error
   * is thrown with the index of the request that caused it, after every reply
   * has been drained so the socket stays in step.
   */
  transact(batch: readonly Pending[]): Message[][] {
    const { replies, errors } = this.transactEach(batch);
    throwFirst(errors);
    return replies;
  }

  /**
   * Sends the requests, as many per datagram as the receive buffer holds the
   * replies of (PER_DATAGRAM), and returns each one's replies and error
   * (undefined: it succeeded). The kernel handles each message of a datagram
   * on its own, so one failing does not stop the others. `interrupted`: a
   * message answering the request, its NLMSG_DONE included, carried
   * NLM_F_DUMP_INTR.
   */
  transactEach(batch: readonly Pending[]): Exchanged {
    if (batch.length <= this.perDatagram) return this.exchange(batch);
    const all: Exchanged = { replies: [], errors: [], interrupted: [] };
    for (let start = 0; start < batch.length; start += this.perDatagram) {
      const part = this.exchange(batch.slice(start, start + this.perDatagram));
      all.replies.push(...part.replies);
      all.errors.push(...part.errors);
      all.interrupted.push(...part.interrupted);
    }
    return all;
  }

  /** One datagram of requests, and every reply to it. */
  private exchange(batch: readonly Pending[]): Exchanged {
    const first = (this.seq + 1) | 0;
    this.seq = (this.seq + batch.length) | 0;
    libc.send(this.fd, encodeBatch(batch, first));
    if (counter) for (const { request } of batch) counter.add(request.type);

    const replies: Message[][] = batch.map(() => []);
    const errors: (Error | undefined)[] = batch.map(() => undefined);
    const interrupted = batch.map(() => false);
    let open = batch.length;
    const settle = (index: number, error?: Error) => {
      open--;
      errors[index] = error;
    };
    let silent = 0;
    while (open > 0) {
      const n = libc.recv(this.fd, recvBuffer, MSG_TRUNC);
      if (n < 0) {
        if (++silent >= MAX_SILENT_TIMEOUTS) throw new SystemCallError("recv", errno.ETIMEDOUT, "no reply from the kernel");
        continue;
      }
      silent = 0;
      if (n > RECV_BUFFER) throw new SystemCallError("recv", errno.EMSGSIZE, `datagram of ${n} bytes`);
      // Replies are counted from `first` modulo 2^32, as the kernel's u32 sequence numbers wrap.
      const ended = loneSuccess(recvView, n);
      if (ended >= 0) {
        const index = (ended - first) >>> 0;
        if (batch[index] !== undefined) settle(index);
        continue;
      }
      const nsid = loneNsid(recvView, n);
      for (const msg of nsid === undefined ? decodeMessages(recvBuffer.subarray(0, n)) : [nsid]) {
        const index = (msg.seq - first) >>> 0;
        const pending = batch[index];
        if (pending === undefined) continue; // a late reply to an abandoned request
        const reply = replies[index] as Message[];
        if (msg.dumpIntr) interrupted[index] = true;
        if (msg.kind === "error") {
          settle(index, msg.errno === 0 ? undefined : new NetlinkError(pending.label, msg.errno, msg.extAckMessage, msg.extAckOffset));
        } else if (msg.kind === "done") {
          settle(index, msg.errno === 0 ? undefined : new NetlinkError(pending.label, msg.errno, msg.extAckMessage, null));
        } else {
          reply.push(msg);
          if (endsWithReply(pending.request)) settle(index);
        }
      }
    }
    return { replies, errors, interrupted };
  }

  /**
   * A dump with NETLINK_GET_STRICT_CHK on for it alone, so that the kernel
   * applies the request's filters (a route dump's protocol) rather than
   * ignoring them; the socket's other requests keep its own setting. A kernel
   * without the option (before 4.20) dumps unfiltered: callers check what they get.
   */
  strictDump(request: RequestBody, label: string): Message[] {
    if (this.strict) return this.dump(request, label);
    const strictness = (on: number) =>
      libc.setsockopt(this.fd, libc.SOL_NETLINK, libc.NETLINK_GET_STRICT_CHK, int32(on), "NETLINK_GET_STRICT_CHK");
    try {
      strictness(1);
    } catch (err) {
      if (hasErrno(err, "ENOPROTOOPT")) return this.dump(request, label);
      throw err;
    }
    try {
      return this.dump(request, label);
    } finally {
      strictness(0);
    }
  }

  /** One dump, retried while the kernel reports it torn (NLM_F_DUMP_INTR). */
  dump(request: RequestBody, label: string): Message[] {
    for (let attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
      const { replies, errors, interrupted } = this.transactEach([{ request, label }]);
      throwFirst(errors);
      // The kernel may flag only the closing NLMSG_DONE as torn.
      if (!interrupted[0]) return replies[0] as Message[];
    }
    throw new DumpInterruptedError(label, DUMP_ATTEMPTS);
  }
}
