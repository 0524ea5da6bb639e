/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import { hasErrno } from "../errno.js";
import type { FileStatus } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { sleep } from "../sleep.js";
import { sleepSync } from "../sleep-sync.js";
import { absolutePath } from "../validate/validate.js";
import { holdDir, holdDirAsync } from "./deleting.js";
import { entryLook, removeStale } from "./entry.js";
import { entryVerdict, isLeftover, leftoverRule } from "./leftovers.js";
import { entryNames } from "./list.js";
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
  /** The dir, as an absolute path. */
  at: string;
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
  return { at, result, candidates, accept };
}

/**
 * The second look, SETTLE_MS after the first: ip, containerd and podman take
 * no lock, and an entry they are making (made, not yet mounted) or deleting
 * (unmounted, not yet unlinked) looks stale for an instant. Only one still
 * stale, the same file, a while later is a leftover. neslink's own such
 * moments are waited out instead, however long they last: the caller holds
 * the dir's lock exclusively (deleting.ts).
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
 * (see secondLook), and while neslink deletes or creates in the dir (up to
 * LOCKED_WAIT_MS): pruneNamedAsync waits without blocking.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const look = firstLook(dir);
  if (look.candidates.length === 0) return look.result;
  sleepSync(SETTLE_MS);
  let held: number | undefined;
  try {
    held = holdDir(look.at, true);
  } catch (err) {
    held = gone(err);
  }
  return secondLookHeld(look, held);
}

/**
 * pruneNamed, its waits (between the two looks, and for the dir's lock) on a
 * timer: the event loop of a long-running process (a server, `neslink
 * agent`) goes on meanwhile. Each look is synchronous, as it is short (a few
 * system calls per entry).
 */
export async function pruneNamedAsync(dir: string = DEFAULT_NETNS_DIR): Promise<PruneResult> {
  const look = firstLook(dir);
  if (look.candidates.length === 0) return look.result;
  await sleep(SETTLE_MS);
  return secondLookHeld(look, await holdDirAsync(look.at, true).catch(gone));
}

/** A dir removed since the first look: nothing of it is left to remove. */
function gone(err: unknown): undefined {
  if (hasErrno(err, "ENOENT")) return undefined;
  throw err;
}

/** The second look, with the dir's lock `held` (undefined: the dir is gone), which it then lets go. */
function secondLookHeld(look: FirstLook, held: number | undefined): PruneResult {
  if (held === undefined) return look.result;
  try {
    return secondLook(look);
  } finally {
    libc.close(held);
  }
}
