/**
 * A named namespace (or the stale entry a crash left, see claim.ts) removed
 * as `ip netns del` does: checked, unmounted (through the descriptor it was
 * checked through, never the path again), its file unlinked. None of it
 * changes a namespace, so any thread may do it: a worker (worker/named.ts,
 * which also closes what it holds on it) or the calling thread (named-here.ts).
 */
import type { RemovedNs } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { NotFoundError } from "../errors.js";
import { type FileIdentity, keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { holdDir } from "./deleting.js";
import { openChecked, refusal, unlinkStale } from "./entry.js";
import { leftoverRule } from "./leftovers.js";

/** A named namespace or stale entry about to be removed, checked; anything else is refused and left as it is. */
export interface Doomed {
  ns: RemovedNs;
  /** "dev:ino" of what the entry was: its namespace, or the stale file. */
  key: string;
  mounted: boolean;
  /**
   * A mounted entry's: the descriptor it was checked through, untracked and the caller's to close (closeDoomed). The
   * unmount goes through it: by the path, a user's `ip netns del` and `ip netns add` of the name after the check had
   * their new namespace unmounted.
   */
  fd?: number;
  /** A stale entry's file, the only one removed at its path: one put there since the check is not judged. */
  file?: FileIdentity;
}

/** Checks the entry `name` of `dir` for a delete; a mounted one's descriptor stays open (Doomed.fd). */
export function check(name: string, dir: string): Doomed {
  const path = `${dir}/${name}`;
  const opened = openChecked(path, false);
  if (opened.fd === undefined) throw refusal(path, opened.state);
  const { fd, status, state } = opened;
  const mounted = state.kind === "namespace";
  if (!mounted) libc.close(fd);
  if (!mounted && state.kind !== "stale") throw refusal(path, state);
  const notLeftover = mounted ? undefined : leftoverRule(dir)(status);
  if (notLeftover !== undefined) throw refusal(path, { kind: "other", reason: notLeftover });
  return {
    ns: { name, path, stale: !mounted },
    key: keyOfIdentity(status),
    mounted,
    ...(mounted ? { fd } : { file: { dev: status.dev, ino: status.ino } }),
  };
}

/** Closes what `check` left open. */
export function closeDoomed(doomed: Doomed): void {
  if (doomed.fd !== undefined) libc.close(doomed.fd);
}

/**
 * The mount a descriptor was opened through, as a path: umount2 follows the magic link to that very mount, and to
 * nothing else (a mount detached since is EINVAL). Hence no UMOUNT_NOFOLLOW: the link is the point; the entry itself
 * was opened O_NOFOLLOW and checked to be a namespace.
 */
const throughFd = (fd: number) => `/proc/thread-self/fd/${fd}`;

/** umount2 of a mount reached through a descriptor: lazily, as ip does, for whoever is still inside. */
const THROUGH_FD_FLAGS = libc.MNT_DETACH;

/**
 * Unmounts the mount `fd` was opened through (a checked entry's namespace); false if it is not mounted any more:
 * someone else deleted it since the check (or is deleting it).
 */
function unmount(fd: number): boolean {
  try {
    libc.umount2(throughFd(fd), THROUGH_FD_FLAGS);
    return true;
  } catch (err) {
    if (hasErrno(err, "EINVAL") || hasErrno(err, "ENOENT")) return false;
    throw err;
  }
}

/**
 * unmount on a libuv pool thread (see libc.umount2Concurrent); false if it failed: `unmount` again says why.
 * /proc/thread-self is that thread's, and its descriptors are the process's.
 */
export function unmountConcurrent(doomed: Doomed): Promise<boolean> {
  return libc.umount2Concurrent(throughFd(doomed.fd as number), THROUGH_FD_FLAGS);
}

/** unmount of a checked entry's namespace, with its outcome or error: a concurrent unmount's retry. */
export function unmountOutcome(doomed: Doomed): boolean | Error {
  try {
    return unmount(doomed.fd as number);
  } catch (err) {
    return err as Error;
  }
}

/** How many mounts of one namespace stacked on its entry a delete takes down: more is not an entry neslink made. */
const MAX_STACKED = 64;

/** Unmounts the namespace `key` names if it is (still) what is mounted at `path`: checked, then unmounted through that look. */
function unmountIfStill(path: string, key: string): boolean {
  const opened = openChecked(path, false);
  if (opened.fd === undefined) return false;
  try {
    return opened.state.kind === "namespace" && keyOfIdentity(opened.status) === key && unmount(opened.fd);
  } finally {
    libc.close(opened.fd);
  }
}

/**
 * Unmounts a checked entry's namespace and removes its file, and says what it
 * did: of deletes of one name racing, the one whose unmount took the namespace
 * down deleted it, whoever removes the file after (a prune, ip; a create
 * taking the entry over mounts a namespace of its own), and of an entry found
 * empty, the one that removed it. The others fail as a later one would
 * (NotFoundError). Unmount and unlink are two steps no lock on the file can
 * span (the file is under the mount until the unmount), so the caller holds
 * the dir's lock (deleting.ts): shared from before an unmount to after the
 * unlink, exclusive for an entry found empty, which therefore is never the
 * file of a delete under way, taken for a leftover.
 * `unmounted`: what the caller's own unmount of it did (a batch's concurrent one, retried if it failed); none
 * given, it is unmounted here.
 * `guarded`: a guarded deletion's (a lab's destroy), which skips what is not
 * there: a namespace someone else (`ns del`, ip) unmounted first is theirs to
 * report, and false is returned, the entry left to them. It said it deleted
 * it as they did, having removed the file they had emptied, and failed the
 * destroy with ERR_NS_NOT_FOUND when they had removed it first.
 * Returns true when this call deleted it.
 */
export function remove(doomed: Doomed, unmounted?: boolean, guarded = false): boolean {
  const path = doomed.ns.path;
  const unmountedHere = doomed.mounted && (unmounted ?? unmount(doomed.fd as number));
  if (doomed.mounted && !unmountedHere) {
    if (guarded) return false;
    throw removedMeanwhile(path);
  }
  let outcome = unlinkStale(path, doomed.file);
  // The same namespace there after its unmount was mounted on its entry more than once (`mount --bind` of the entry
  // onto itself), not made since by someone else: it goes too, where a delete took it for theirs and left it mounted.
  for (let layer = 0; outcome === "kept" && unmountedHere && layer < MAX_STACKED && unmountIfStill(path, doomed.key); layer++) {
    outcome = unlinkStale(path);
  }
  if (unmountedHere || outcome === "removed") return true;
  // An empty entry a create mounted its namespace on meanwhile: that namespace is the create's, not this delete's.
  if (outcome === "kept") throw new NotFoundError("namespace", `no namespace at ${path} (its empty entry was taken over meanwhile)`);
  throw removedMeanwhile(path);
}

const removedMeanwhile = (path: string) => new NotFoundError("namespace", `no namespace at ${path} (another delete removed it meanwhile)`);

/** Removes a named namespace (or the stale entry a crash left); returns its "dev:ino" so what is held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: RemovedNs; key: string } {
  const doomed = check(name, dir);
  try {
    const held = holdDir(dir, !doomed.mounted);
    try {
      remove(doomed);
    } finally {
      libc.close(held);
    }
  } finally {
    closeDoomed(doomed);
  }
  return { ns: doomed.ns, key: doomed.key };
}
