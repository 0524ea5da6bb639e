/**
 * Single requests, encoded once. A worker sends the same few requests over
 * and over (every inventory dumps links and addresses of each namespace),
 * and their bytes differ only in nlmsg_seq. Encoding is a round trip through
 * WebAssembly that costs more than the kernel's own work for a small dump,
 * so each distinct request is encoded the first time and its sequence number
 * patched on every later use.
 */
import { encodeRequests, type Request } from "@neslink/codec-wasm";
import { LruMap } from "../lru-map.js";
import type { RequestBody } from "./socket.js";

/** Distinct requests kept, the least recently sent dropped first: requests naming descriptors or addresses vary. */
const MAX_ENTRIES = 256;
const NLMSG_SEQ_OFFSET = 8;

const cache = new LruMap<string, { bytes: Uint8Array; view: DataView }>(MAX_ENTRIES);

/**
 * The request's bytes with `seq`. The buffer is shared and valid until the
 * next call: send it before encoding another.
 */
export function encodeOne(request: RequestBody, seq: number): Uint8Array {
  const key = JSON.stringify(request);
  let entry = cache.get(key);
  if (entry === undefined) {
    const bytes = encodeRequests([{ ...request, seq } as Request]);
    entry = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    cache.set(key, entry);
  }
  entry.view.setUint32(NLMSG_SEQ_OFFSET, seq, true);
  return entry.bytes;
}
