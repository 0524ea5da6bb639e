/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import { absolutePath } from "../validate/validate.js";
import { entryState, removeStale } from "./entry.js";
import { entryNames } from "./list.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

export interface PruneResult {
  /** Stale entries removed. */
  removed: string[];
  /** Entries that are neither a namespace nor stale, or that someone is creating a namespace on right now, with why they stay. */
  skipped: { name: string; reason: string }[];
}

/**
 * Removes the stale entries of `dir` (default /run/netns): empty files with
 * no namespace mounted on them. Symlinks, FIFOs, directories and other files
 * are never followed nor removed, only reported as skipped.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const at = absolutePath("dir", dir);
  const result: PruneResult = { removed: [], skipped: [] };
  for (const name of entryNames(at)) {
    const path = `${at}/${name}`;
    const state = entryState(path);
    if (state.kind === "other") result.skipped.push({ name, reason: state.reason });
    else if (state.kind !== "stale") continue;
    else if (removeStale(path)) result.removed.push(name);
    else result.skipped.push({ name, reason: "a namespace is being created on it" });
  }
  return result;
}
