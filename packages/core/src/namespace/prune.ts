/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { FileStatus } from "../ffi/identity.js";
import { absolutePath } from "../validate/validate.js";
import { entryLook, removeStale } from "./entry.js";
import { entryVerdict, isLeftover, leftoverRule } from "./leftovers.js";
import { entryNames } from "./list.js";
import { sleepSync } from "../sleep-sync.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

/**
 * How long an entry must stay stale, the same file, to be removed: longer than
 * the step between making an entry and mounting on it (or unmounting and
 * unlinking it) in ip and the container tools, a few system calls apart.
 */
const SETTLE_MS = 100;

/**
 * Each entry by its name in the dir as `netns`, as destroy's `removed` names the namespaces it removed: one jq
 * filter (`.removed[].netns`) reads both.
 */
export interface PruneResult {
  /** Stale entries removed. */
  removed: { netns: string }[];
  /** Entries that are neither a namespace nor stale, or that someone is creating a namespace on right now, with why they stay. */
  skipped: { netns: string; reason: string }[];
}

/** A prune between its two looks: what it found, and the stale entries to look at again. */
interface FirstLook {
  result: PruneResult;
  candidates: { name: string; path: string; seen: FileStatus }[];
  accept: (status: FileStatus) => boolean;
}

function firstLook(dir: string): FirstLook {
  const at = absolutePath("dir", dir);
  const refusedBy = leftoverRule(at);
  const accept = isLeftover(refusedBy);
  const result: PruneResult = { removed: [], skipped: [] };
  const candidates: FirstLook["candidates"] = [];
  for (const name of entryNames(at)) {
    const path = `${at}/${name}`;
    const verdict = entryVerdict(path, refusedBy);
    if (verdict.kind === "other") result.skipped.push({ netns: name, reason: verdict.reason });
    else if (verdict.kind === "leftover") candidates.push({ name, path, seen: verdict.status });
  }
  return { result, candidates, accept };
}

/**
 * The second look, SETTLE_MS after the first: ip, containerd and podman take
 * no lock, and an entry they are making (made, not yet mounted) or deleting
 * (unmounted, not yet unlinked) looks stale for an instant. Only one still
 * stale, the same file, a while later is a leftover.
 */
function secondLook({ result, candidates, accept }: FirstLook): PruneResult {
  for (const { name, path, seen } of candidates) {
    if (removeStale(path, accept, seen)) result.removed.push({ netns: name });
    // Gone, or a namespace now: not stale any more, and not the prune's to report.
    else if (entryLook(path).state.kind === "stale") result.skipped.push({ netns: name, reason: "a namespace is being created on it" });
  }
  return result;
}

/**
 * Removes the stale entries of `dir` (default /run/netns): empty files with
 * no namespace mounted on them, as a namespace creator leaves them
 * (leftovers.ts: in a dir given, maybe by mistake, `/etc`, an empty
 * writable file is someone's own). Symlinks, FIFOs, directories
 * and other files are never followed nor removed, only reported as skipped.
 * With stale entries to remove, it blocks the calling thread for SETTLE_MS
 * (see secondLook): pruneNamedAsync waits without blocking.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const look = firstLook(dir);
  if (look.candidates.length > 0) sleepSync(SETTLE_MS);
  return secondLook(look);
}

/**
 * pruneNamed, its wait between the two looks on a timer: the event loop of a
 * long-running process (a server, `neslink agent`) goes on meanwhile. Each
 * look is synchronous, as it is short (a few system calls per entry).
 */
export async function pruneNamedAsync(dir: string = DEFAULT_NETNS_DIR): Promise<PruneResult> {
  const look = firstLook(dir);
  if (look.candidates.length > 0) await delay(SETTLE_MS);
  return secondLook(look);
}
