/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import type { FileStatus } from "../ffi/identity.js";
import { absolutePath } from "../validate/validate.js";
import { entryLook, removeStale } from "./entry.js";
import { isLeftover, leftoverRule } from "./leftovers.js";
import { entryNames } from "./list.js";
import { sleepSync } from "../sleep-sync.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

/**
 * How long an entry must stay stale, the same file, to be removed: longer than
 * the step between making an entry and mounting on it (or unmounting and
 * unlinking it) in ip and the container tools, a few system calls apart.
 */
const SETTLE_MS = 100;

export interface PruneResult {
  /** Stale entries removed. */
  removed: string[];
  /** Entries that are neither a namespace nor stale, or that someone is creating a namespace on right now, with why they stay. */
  skipped: { name: string; reason: string }[];
}

/**
 * Removes the stale entries of `dir` (default /run/netns): empty files with
 * no namespace mounted on them, as a namespace creator leaves them
 * (leftovers.ts: in a dir given, maybe by mistake, `/etc`, an empty
 * writable file is someone's own). Symlinks, FIFOs, directories
 * and other files are never followed nor removed, only reported as skipped.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const at = absolutePath("dir", dir);
  const refusedBy = leftoverRule(at);
  const accept = isLeftover(refusedBy);
  const result: PruneResult = { removed: [], skipped: [] };
  const candidates: { name: string; path: string; seen: FileStatus | undefined }[] = [];
  for (const name of entryNames(at)) {
    const path = `${at}/${name}`;
    const { state, status } = entryLook(path);
    const notLeftover = state.kind === "stale" && status !== undefined ? refusedBy(status) : undefined;
    if (state.kind === "other") result.skipped.push({ name, reason: state.reason });
    else if (state.kind !== "stale") continue;
    else if (notLeftover !== undefined) result.skipped.push({ name, reason: notLeftover });
    else candidates.push({ name, path, seen: status });
  }
  if (candidates.length === 0) return result;
  // ip, containerd and podman take no lock: an entry they are making (made, not yet mounted) or deleting (unmounted,
  // not yet unlinked) looks stale for an instant. Only one still stale, the same file, a while later is a leftover.
  sleepSync(SETTLE_MS);
  for (const { name, path, seen } of candidates) {
    if (removeStale(path, accept, seen)) result.removed.push(name);
    // Gone, or a namespace now: not stale any more, and not the prune's to report.
    else if (entryLook(path).state.kind === "stale") result.skipped.push({ name, reason: "a namespace is being created on it" });
  }
  return result;
}
