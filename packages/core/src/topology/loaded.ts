/**
 * What topology.load returned, as JSON: a topology handed back unchanged
 * needs no second load (~0.1 ms a node), only a comparison, and the work then
 * uses a copy made from this text, so nothing changed in it later is read.
 */
import type { Path } from "./problems.js";

const loaded = new WeakMap<object, string>();

/** Where a loaded topology was read from: what a problem found later (by plan, in the kernel) is placed with. */
export interface LoadedFrom {
  label: string | undefined;
  locate: (path: Path) => { line: number; column: number } | undefined;
}
const places = new WeakMap<object, LoadedFrom>();

export function rememberLoaded<T extends object>(topology: T, from?: LoadedFrom): T {
  loaded.set(topology, JSON.stringify(topology));
  if (from !== undefined) places.set(topology, from);
  return topology;
}

/** Where `value` was loaded from, if load returned it. */
export function loadedFrom(value: unknown): LoadedFrom | undefined {
  return typeof value === "object" && value !== null ? places.get(value) : undefined;
}

/** A copy of `value` if it is a topology load returned, unchanged since; otherwise undefined. */
export function unchangedCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  const text = loaded.get(value);
  if (text === undefined) return undefined;
  let now: string | undefined;
  try {
    now = JSON.stringify(value);
  } catch {
    return undefined;
  }
  return now === text ? JSON.parse(text) : undefined;
}
