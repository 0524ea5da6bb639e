/**
 * How many netlink requests of each type a pool's workers have sent: cells
 * of one SharedArrayBuffer every worker of the pool adds to, so the count
 * survives workers that die. It is how a caller (and a test) sees that work
 * sent nothing that changes the kernel: a plan, a re-apply of an unchanged
 * topology.
 */
import type { Request } from "@neslink/codec-wasm";

/** Every request type the codec encodes, in the order of their cells. */
export const REQUEST_TYPES = [
  "getLinkDump",
  "getLink",
  "newLink",
  "setLink",
  "setLinkNs",
  "delLink",
  "getAddrDump",
  "newAddr",
  "delAddr",
  "getRouteDump",
  "newRoute",
  "delRoute",
  "getNeighDump",
  "newNsid",
  "getNsid",
  "getNsidDump",
] as const satisfies readonly Request["type"][];

export type RequestType = (typeof REQUEST_TYPES)[number];

/** Compiles only while every request type the codec encodes has its cell here. */
const everyTypeCounted: [Exclude<Request["type"], RequestType>] extends [never] ? true : never = true;
void everyTypeCounted;

/** The types that change the kernel's state. */
const WRITES: ReadonlySet<RequestType> = new Set([
  "newLink",
  "setLink",
  "setLinkNs",
  "delLink",
  "newAddr",
  "delAddr",
  "newRoute",
  "delRoute",
]);

const cellOf = new Map<string, number>(REQUEST_TYPES.map((t, i) => [t, i]));

export function allocateCounts(): SharedArrayBuffer {
  return new SharedArrayBuffer(REQUEST_TYPES.length * 4);
}

/** Counts requests into a pool's cells (set by the worker at start). */
export class RequestCounter {
  readonly #cells: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer);
  }
  add(type: string): void {
    const cell = cellOf.get(type);
    if (cell !== undefined) Atomics.add(this.#cells, cell, 1);
  }
}

/** What a pool has sent so far. */
export interface RequestStats {
  /** Requests sent, by type (the codec's request names, e.g. "newLink", "getAddrDump"). */
  requests: Record<RequestType, number>;
  /** Of those, the ones that change the kernel's state. */
  writes: number;
}

export function readCounts(buffer: SharedArrayBuffer): RequestStats {
  const cells = new Int32Array(buffer);
  const requests = Object.fromEntries(REQUEST_TYPES.map((t, i) => [t, Atomics.load(cells, i)])) as Record<RequestType, number>;
  return { requests, writes: REQUEST_TYPES.reduce((n, t) => n + (WRITES.has(t) ? requests[t] : 0), 0) };
}
