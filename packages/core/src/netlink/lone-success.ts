/**
 * Recognises a datagram that is one successful ACK or DONE and nothing else.
 * Most datagrams of a transaction are such (a change's ACK, a dump's closing
 * DONE); reading their 16-byte nlmsghdr and errno here spares each a round
 * trip through the codec, which a cold VM pays dearly for. So is the answer
 * to a namespace id's question (RTM_GETNSID naming one namespace), asked
 * once for each of a lab's nodes by destroy. Anything else, DUMP_INTR
 * included, goes to the codec.
 */
import type { Message } from "@neslink/codec-wasm";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP_INTR = 0x10;
const RTM_NEWNSID = 88;
const NETNSA_NSID = 1;
/** nlmsghdr, rtgenmsg (padded to 4) and one NETNSA_NSID (4 + 4): the kernel's whole answer naming one namespace. */
const NSID_REPLY_LENGTH = 28;
const NSID_ATTR = 20;
/** nlmsghdr (16 bytes) and the errno that starts an ERROR's or DONE's payload. */
const MIN_LENGTH = 20;

/** The sequence number of the first `length` bytes of `view` if they are a lone successful ACK or DONE, else -1. */
export function loneSuccess(view: DataView, length: number): number {
  if (length < MIN_LENGTH || view.getUint32(0, true) !== length) return -1;
  const type = view.getUint16(4, true);
  if ((type !== NLMSG_ERROR && type !== NLMSG_DONE) || view.getUint16(6, true) & NLM_F_DUMP_INTR) return -1;
  return view.getInt32(16, true) === 0 ? view.getUint32(8, true) : -1;
}

/**
 * The first `length` bytes of `view` as the codec decodes them, if they are one RTM_NEWNSID carrying NETNSA_NSID
 * alone (the answer to an RTM_GETNSID naming one namespace); else undefined, for the codec to read.
 */
export function loneNsid(view: DataView, length: number): Message | undefined {
  if (length !== NSID_REPLY_LENGTH || view.getUint32(0, true) !== length || view.getUint16(4, true) !== RTM_NEWNSID) return undefined;
  if (view.getUint16(NSID_ATTR, true) !== 8 || view.getUint16(NSID_ATTR + 2, true) !== NETNSA_NSID) return undefined;
  const flags = view.getUint16(6, true);
  return {
    type: RTM_NEWNSID,
    flags,
    seq: view.getUint32(8, true),
    pid: view.getUint32(12, true),
    multi: (flags & NLM_F_MULTI) !== 0,
    dumpIntr: (flags & NLM_F_DUMP_INTR) !== 0,
    kind: "nsid",
    name: "RTM_NEWNSID",
    nsid: view.getInt32(NSID_ATTR + 4, true),
  };
}
