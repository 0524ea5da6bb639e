/**
 * Which empty files of a mount dir are what a killed namespace creator left
 * (a stale entry, see entry.ts), and so may be removed or taken over. The
 * one rule for prune, delete and create: a dir given, maybe by mistake
 * (`/etc`), holds empty files of its own users (/etc/subuid, a lock file)
 * that only a look at the file's mode tells apart.
 */
import { hasErrno } from "../errno.js";
import { type FileStatus, identityOfPath, sameFile } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { holdDirAsync } from "./deleting.js";
import { type EntryState, entryLook, removeStale } from "./entry.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

/** Whether `dir` is the default mount dir (by another path too: /var/run/netns). */
export function isDefaultDir(dir: string): boolean {
  if (dir === DEFAULT_NETNS_DIR) return true;
  try {
    return sameFile(identityOfPath(dir), identityOfPath(DEFAULT_NETNS_DIR));
  } catch {
    return false;
  }
}

/**
 * Whether a stale entry is one a namespace creator can have left: ip opens
 * the entry with mode 0, neslink with 0444 (less the umask), so neither is
 * writable nor executable.
 */
export function leftByCreator(status: FileStatus): boolean {
  return (status.perm & 0o333) === 0;
}

/**
 * Whether an empty file of the default mount dir is what a killed creator left: containerd makes its entries there
 * 0666 less the umask, podman 0600 (ip 0, neslink 0444); none makes an executable one.
 */
const leftInDefaultDir = (status: FileStatus): boolean => (status.perm & 0o111) === 0;

/** Why an empty file of `dir` is not taken for a creator's leftover; undefined when it is. */
export type LeftoverRule = (status: FileStatus) => string | undefined;

/**
 * The rule for `dir`: in the default mount dir, which ip, containerd and
 * podman share, any empty file not executable; in another, only a read-only
 * one. Which dir it is is looked up at the first file judged: most creates
 * and deletes meet no stale entry.
 */
export function leftoverRule(dir: string): LeftoverRule {
  let inDefault: boolean | undefined;
  return (status) => {
    inDefault ??= isDefaultDir(dir);
    if ((inDefault ? leftInDefaultDir : leftByCreator)(status)) return undefined;
    const mode = status.perm.toString(8).padStart(4, "0");
    return `an empty file of mode ${mode}: no namespace creator leaves ${inDefault ? "an executable one" : "a writable or executable one"}`;
  };
}

/** A rule as a yes or no: whether it takes the empty file for a creator's leftover. */
export const isLeftover =
  (rule: LeftoverRule) =>
  (status: FileStatus): boolean =>
    rule(status) === undefined;

/**
 * Removes those of the entries `names` of the default mount dir that are
 * stale and a creator can have left (a lab's apply killed between making one
 * and mounting on it, its destroy between an unmount and the unlink); returns
 * those it removed. A lab names its entries by its file: one of someone
 * else's by that name is left, as prune, delete and create leave it. Judged
 * with the dir's lock held exclusively, as a delete judges an empty entry
 * (deleting.ts): one that a delete (`ns del` of a node) has unmounted and not
 * yet unlinked is waited for, and is then gone, not a leftover this removed.
 * Waited for on a timer, as long as the deletes under way get on (another
 * lab's destroy holds the dir for its whole run): NamespaceDirBusyError once
 * they do not (deleting.ts).
 */
export async function removeLeftovers(names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const accept = isLeftover(leftoverRule(DEFAULT_NETNS_DIR));
  let held: number;
  try {
    held = await holdDirAsync(DEFAULT_NETNS_DIR, true);
  } catch (err) {
    // No dir, no entry in it.
    if (hasErrno(err, "ENOENT")) return [];
    throw err;
  }
  try {
    return names.filter((name) => removeStale(`${DEFAULT_NETNS_DIR}/${name}`, accept));
  } finally {
    libc.close(held);
  }
}

/** An entry of a mount dir as prune, create and the dir's own check see it (see entryVerdict). */
export type EntryVerdict = Exclude<EntryState, { kind: "stale" }> | { kind: "leftover"; status: FileStatus };

/**
 * What the entry at `path` is, by `rule` (the rule of its dir): a stale
 * entry is a creator's leftover (with its status as seen), or else the
 * dir's own, "other", with why.
 */
export function entryVerdict(path: string, rule: LeftoverRule): EntryVerdict {
  const { state, status } = entryLook(path);
  if (state.kind !== "stale") return state;
  // Judged stale on a descriptor opened on it (entry.ts): its status is there.
  const seen = status as FileStatus;
  const reason = rule(seen);
  return reason === undefined ? { kind: "leftover", status: seen } : { kind: "other", reason };
}
