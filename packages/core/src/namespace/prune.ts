/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import { absolutePath } from "../validate/validate.js";
import { entryLook, leftByCreator, removeStale } from "./entry.js";
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
 * no namespace mounted on them, read-only as a namespace creator makes them
 * (leftByCreator). Symlinks, FIFOs, directories and other files, an empty
 * writable one included, are never followed nor removed, only reported as
 * skipped.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const at = absolutePath("dir", dir);
  const result: PruneResult = { removed: [], skipped: [] };
  for (const name of entryNames(at)) {
    const path = `${at}/${name}`;
    const { state, status } = entryLook(path);
    if (state.kind === "other") result.skipped.push({ name, reason: state.reason });
    else if (state.kind !== "stale") continue;
    else if (status !== undefined && !leftByCreator(status))
      result.skipped.push({
        name,
        reason: `an empty file of mode ${status.perm.toString(8).padStart(4, "0")}: no namespace creator leaves a writable or executable one`,
      });
    else if (removeStale(path, leftByCreator)) result.removed.push(name);
    else result.skipped.push({ name, reason: "a namespace is being created on it" });
  }
  return result;
}
