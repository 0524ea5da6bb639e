/**
 * Small batches of requests, encoded once. A worker sends the same few
 * batches over and over (every inventory dumps links and addresses of each
 * namespace; bringing lo up in a new namespace is the same pair of requests
 * each time), and their bytes differ only in each message's nlmsg_seq.
 * Encoding is a round trip through WebAssembly that costs more than the
 * kernel's own work for a small request, so each distinct batch is encoded
 * the first time and its sequence numbers patched on every later use. A
 * namespace id's question names a descriptor, which differs from one
 * namespace to the next (destroy asks one for each node the lab's record
 * vouches for): it is patched too.
 */
import { encodeRequests, type Request } from "@neslink/codec-wasm";
import { ValidationError } from "../errors.js";
import { LruMap } from "../lru-map.js";
import type { RequestBody } from "./socket.js";

/** Distinct batches kept, the least recently sent dropped first: requests naming descriptors or addresses vary. */
const MAX_ENTRIES = 256;
/**
 * Longer batches are encoded every time: they are runs of creations or
 * lookups that name different links each time, and would only fill the cache.
 */
export const MAX_CACHED_BATCH = 8;
const NLMSG_SEQ_OFFSET = 8;
/** Where an RTM_GETNSID's or RTM_NEWNSID's NETNSA_FD, its first attribute, starts: after nlmsghdr and rtgenmsg (padded). */
const NSID_FIRST_ATTR = 20;
const NETNSA_FD = 3;
/** The descriptors the codec takes (it refuses others, and so a patch must not write them). */
const MAX_FD = 0x7fffffff;

interface Entry {
  bytes: Uint8Array;
  view: DataView;
  /** Where each message starts. */
  offsets: number[];
  /** Where each message's descriptor (nsFd) is, for those that name one. */
  fds: (number | undefined)[];
}

/** A request's descriptor (getNsid's, newNsid's nsFd) if it is one the codec takes, to patch; else undefined. */
function patchableFd(request: RequestBody): number | undefined {
  const fd = (request as { nsFd?: unknown }).nsFd;
  return Number.isInteger(fd) && (fd as number) >= 0 && (fd as number) <= MAX_FD ? (fd as number) : undefined;
}

/** Where the descriptor of the message at `at` is, if it names one as NETNSA_FD first (an nsid question). */
function fdAt(view: DataView, at: number): number | undefined {
  const attr = at + NSID_FIRST_ATTR;
  return attr + 8 <= view.byteLength && view.getUint16(attr, true) === 8 && view.getUint16(attr + 2, true) === NETNSA_FD
    ? attr + 4
    : undefined;
}

const cache = new LruMap<string, Entry>(MAX_ENTRIES);

/** Sequence number (u32) of the i-th message of a batch from `first` (u32 or the int32 with its bits): it wraps at 2^32, as the kernel's does. */
export const seqAt = (first: number, i: number) => (first + i) >>> 0;

/** The codec's refusal: "encodeRequests: requests[2].macvtap.mode: what is wrong". */
const REFUSAL = /^encodeRequests: requests\[\d+\]\.([^:]+): (.*)$/s;

function encode(batch: readonly { request: RequestBody }[], first: number): Uint8Array {
  try {
    return encodeRequests(batch.map(({ request }, i) => ({ ...request, seq: seqAt(first, i) }) as Request));
  } catch (err) {
    // Core's validators refuse first what they know; what reaches here is a rule only the codec has (a link
    // kind's own), and bad input all the same: a ValidationError naming the field, as the codec's path names it.
    const refusal = err instanceof Error ? REFUSAL.exec(err.message) : null;
    if (refusal) throw new ValidationError(refusal[1] as string, refusal[2] as string);
    throw err;
  }
}

/** Start of every message in a datagram the codec produced (each nlmsg_len, aligned to 4). */
function messageOffsets(view: DataView): number[] {
  const offsets: number[] = [];
  for (let at = 0; at < view.byteLength; at += (view.getUint32(at, true) + 3) & ~3) offsets.push(at);
  return offsets;
}

/**
 * The batch's bytes, one message per request, numbered from `first`. A
 * batch of up to MAX_CACHED_BATCH requests comes from a shared buffer that is
 * valid until the next call: send it before encoding another.
 */
export function encodeBatch(batch: readonly { request: RequestBody }[], first: number): Uint8Array {
  if (batch.length > MAX_CACHED_BATCH) return encode(batch, first);
  let key = "";
  for (const { request } of batch) key += `${JSON.stringify(patchableFd(request) === undefined ? request : { ...request, nsFd: "*" })}\n`;
  let entry = cache.get(key);
  if (entry === undefined) {
    const bytes = encode(batch, first);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = messageOffsets(view);
    const fds = batch.map(({ request }, i) => (patchableFd(request) === undefined ? undefined : fdAt(view, offsets[i] as number)));
    // A descriptor the codec put elsewhere than the patch would write it: encoded every time, not cached wrong.
    if (fds.some((at, i) => at === undefined && patchableFd((batch[i] as { request: RequestBody }).request) !== undefined)) return bytes;
    entry = { bytes, view, offsets, fds };
    cache.set(key, entry);
  }
  const { view, offsets, fds } = entry;
  for (let i = 0; i < offsets.length; i++) {
    view.setUint32((offsets[i] as number) + NLMSG_SEQ_OFFSET, seqAt(first, i), true);
    const at = fds[i];
    if (at !== undefined) view.setUint32(at, patchableFd((batch[i] as { request: RequestBody }).request) as number, true);
  }
  return entry.bytes;
}
