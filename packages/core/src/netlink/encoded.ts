/**
 * Small batches of requests, encoded once. A worker sends the same few
 * batches over and over (every inventory dumps links and addresses of each
 * namespace; bringing lo up in a new namespace is the same pair of requests
 * each time), and their bytes differ only in each message's nlmsg_seq.
 * Encoding is a round trip through WebAssembly that costs more than the
 * kernel's own work for a small request, so each distinct batch is encoded
 * the first time and its sequence numbers patched on every later use.
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

interface Entry {
  bytes: Uint8Array;
  view: DataView;
  /** Where each message starts. */
  offsets: number[];
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
  for (const { request } of batch) key += `${JSON.stringify(request)}\n`;
  let entry = cache.get(key);
  if (entry === undefined) {
    const bytes = encode(batch, first);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    entry = { bytes, view, offsets: messageOffsets(view) };
    cache.set(key, entry);
  }
  const { view, offsets } = entry;
  for (let i = 0; i < offsets.length; i++) view.setUint32((offsets[i] as number) + NLMSG_SEQ_OFFSET, seqAt(first, i), true);
  return entry.bytes;
}
