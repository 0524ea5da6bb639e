/**
 * Removing what killed processes leave in a mount dir: entries with no
 * namespace mounted on them (see entry.ts). Nothing else is touched.
 */
import { statSync } from "node:fs";
import type { FileStatus } from "../ffi/identity.js";
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

/** Whether `dir` is the default mount dir (by another path too: /var/run/netns). */
function isDefaultDir(dir: string): boolean {
  if (dir === DEFAULT_NETNS_DIR) return true;
  try {
    const given = statSync(dir);
    const netns = statSync(DEFAULT_NETNS_DIR);
    return given.dev === netns.dev && given.ino === netns.ino;
  } catch {
    return false;
  }
}

/**
 * Whether an empty file of the default mount dir is what a killed creator left: containerd makes its entries there
 * 0666 less the umask, podman 0600 (ip 0, neslink 0444); none makes an executable one.
 */
const leftInDefaultDir = (status: FileStatus): boolean => (status.perm & 0o111) === 0;

/**
 * Removes the stale entries of `dir` (default /run/netns): empty files with
 * no namespace mounted on them, as a namespace creator makes them: in the
 * default mount dir, which ip, containerd and podman share, any not
 * executable (leftInDefaultDir); in another (given, maybe by mistake:
 * `/etc`), only a read-only one (leftByCreator): an empty writable file there
 * is someone's own (/etc/subuid, a lock file). Symlinks, FIFOs, directories
 * and other files are never followed nor removed, only reported as skipped.
 */
export function pruneNamed(dir: string = DEFAULT_NETNS_DIR): PruneResult {
  const at = absolutePath("dir", dir);
  const accept = isDefaultDir(at) ? leftInDefaultDir : leftByCreator;
  const result: PruneResult = { removed: [], skipped: [] };
  for (const name of entryNames(at)) {
    const path = `${at}/${name}`;
    const { state, status } = entryLook(path);
    if (state.kind === "other") result.skipped.push({ name, reason: state.reason });
    else if (state.kind !== "stale") continue;
    else if (status !== undefined && !accept(status))
      result.skipped.push({
        name,
        reason: `an empty file of mode ${status.perm.toString(8).padStart(4, "0")}: no namespace creator leaves ${accept === leftByCreator ? "a writable or executable one" : "an executable one"}`,
      });
    else if (removeStale(path, accept)) result.removed.push(name);
    else result.skipped.push({ name, reason: "a namespace is being created on it" });
  }
  return result;
}
