/**
 * Recognises a datagram that is one successful ACK or DONE and nothing else.
 * Most datagrams of a transaction are such (a change's ACK, a dump's closing
 * DONE); reading their 16-byte nlmsghdr and errno here spares each a round
 * trip through the codec, which a cold VM pays dearly for. Anything else,
 * DUMP_INTR included, goes to the codec.
 */

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_DUMP_INTR = 0x10;
/** nlmsghdr (16 bytes) and the errno that starts an ERROR's or DONE's payload. */
const MIN_LENGTH = 20;

/** The sequence number of the first `length` bytes of `view` if they are a lone successful ACK or DONE, else -1. */
export function loneSuccess(view: DataView, length: number): number {
  if (length < MIN_LENGTH || view.getUint32(0, true) !== length) return -1;
  const type = view.getUint16(4, true);
  if ((type !== NLMSG_ERROR && type !== NLMSG_DONE) || view.getUint16(6, true) & NLM_F_DUMP_INTR) return -1;
  return view.getInt32(16, true) === 0 ? view.getUint32(8, true) : -1;
}
