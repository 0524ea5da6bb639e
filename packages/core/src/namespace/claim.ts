/**
 * A named namespace made the way iproute2 does, so `ip netns list` shows it
 * and `ip -n NAME` uses it: a file in a shared mount dir with the namespace
 * bind-mounted on it. One implementation for both ways a namespace is made:
 * a worker thread that unshares itself (worker/named.ts), and the calling
 * thread's brief unshare (named-here.ts).
 *
 * Crash safety. The file must exist before the namespace can be mounted on
 * it, and neither a mount point can be renamed into place (rename(2) gives
 * EBUSY) nor a mount moved onto a name that does not exist yet (MS_MOVE needs
 * the target), so a creator killed in between leaves an empty file under the
 * final name. Such a stale entry is recognised (entry.ts) instead of
 * avoided: creating a namespace takes over a stale entry of its name, so a
 * re-run converges; deleting one removes it; prune removes them all. Whoever
 * creates, takes over or removes an entry holds an exclusive flock on its
 * file from the check to the mount (or unlink), and mounts through the
 * descriptor it checked (/proc/thread-self/fd/N), so two creators never mount
 * on one file. The mount is a system call of this process: a kill cannot
 * release the lock while it is under way. iproute2 takes no such lock: an
 * `ip netns add` racing a take-over of the same name can still stack two mounts.
 * A new entry's file is locked before it has its name (made unnamed in the
 * dir, O_TMPFILE, then linked into place): made by name and locked after, it
 * was, in between, an empty unlocked file that a delete or a prune took for a
 * leftover and removed (saying so), and the create had to make it again. A
 * creator killed before the link leaves nothing at all. Where the file system
 * makes no unnamed file, the file is made by name and locked after, as ip does,
 * with the dir's lock held shared in between (deleting.ts).
 * File operations, flock and mount change no namespace: any thread may claim.
 */
import { mkdirSync, statSync, unlinkSync } from "node:fs";
import type { NamedNs } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { AlreadyExistsError, ValidationError } from "../errors.js";
import { identityOfFd, sameFile } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { notADirectory } from "../files/directory.js";
import { holdDir } from "./deleting.js";
import { lockStale, openStale, refusal } from "./entry.js";
import { entryVerdict, isLeftover, leftoverRule } from "./leftovers.js";
import { shareMountDir } from "./shared-dir.js";

/** Claims of a name before giving up: each one lost means a prune or another creator changed the entry meanwhile. */
const CLAIM_ATTEMPTS = 3;

/**
 * Dirs this thread has made shared mount points, with the dir each was (dev:ino): one removed since (`rm -r
 * /run/netns`) and made again, or not yet, is another dir, and is prepared again.
 */
const prepared = new Map<string, string>();

/** "dev:ino" of the dir at `dir`; undefined if there is none (nothing there, or something else: mkdir then says what). */
function dirKey(dir: string): string | undefined {
  try {
    const s = statSync(dir, { bigint: true, throwIfNoEntry: false });
    return s?.isDirectory() ? `${s.dev}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/** The mount dir must exist and be a shared mount point (shared-dir.ts). */
function prepareDir(dir: string): void {
  const key = prepared.get(dir);
  if (key !== undefined && dirKey(dir) === key) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    // mkdir's EEXIST says something is in the way, not what nor where.
    const why = notADirectory(dir);
    throw why === undefined ? err : new ValidationError("dir", why);
  }
  shareMountDir(dir);
  // Read after the mount: a bind mount of the dir on itself shows the same dir.
  const made = dirKey(dir);
  if (made !== undefined) prepared.set(dir, made);
}

/** An entry's mode, as it has always been (ip's is 0): read-only, so prune and create tell it for a creator's (leftovers.ts). */
const ENTRY_MODE = 0o444;

/** A new empty file at `path`, or undefined if something is already there. */
function createFile(path: string): number | undefined {
  try {
    return libc.openWith(path, libc.O_RDONLY | libc.O_CREAT | libc.O_EXCL | libc.O_NOFOLLOW, ENTRY_MODE);
  } catch (err) {
    if (hasErrno(err, "EEXIST")) return undefined;
    throw err;
  }
}

/**
 * Prepared dirs (by `prepared`'s dev:ino) where O_TMPFILE was refused: each
 * create there made its entry by name anyway, after one more refused open
 * (6-10 µs each on bindfs, of a create's ~750 µs there). Keyed as `prepared`
 * is: another file system mounted there since is another dir.
 */
const noUnnamed = new Set<string>();

/**
 * A new empty file in `dir` with no name yet, locked; undefined where the
 * file system makes no unnamed file (EOPNOTSUPP) or the kernel has no
 * O_TMPFILE (EISDIR), which is remembered. Write access is O_TMPFILE's rule:
 * nothing is written.
 */
function lockedUnnamed(dir: string): number | undefined {
  const key = prepared.get(dir);
  if (key !== undefined && noUnnamed.has(key)) return undefined;
  let fd: number;
  try {
    fd = libc.openWith(dir, libc.O_TMPFILE | libc.O_WRONLY, ENTRY_MODE);
  } catch (err) {
    if (!hasErrno(err, "EOPNOTSUPP") && !hasErrno(err, "EISDIR")) throw err;
    if (key !== undefined) noUnnamed.add(key);
    return undefined;
  }
  // No one else can reach a file without a name: the lock is had at once (a file system without flock makes the file by name).
  if (libc.tryLock(fd, libc.LOCK_EX)) return fd;
  libc.close(fd);
  return undefined;
}

/** An entry claimed: `lock` holds its flock; the namespace is mounted through `target`, the same descriptor or one on the same file. */
interface Claimed {
  lock: number;
  target: number;
}

/**
 * `unnamed` (lockedUnnamed's) given the name `path`; undefined if the name
 * is taken. Its own descriptor cannot be mounted on (its dentry never had a
 * name: ENOENT), so the target is one opened by the name, once checked to
 * be that file: ip and rm unlink an entry without looking at its lock.
 */
function linked(unnamed: number, path: string): Claimed | undefined {
  try {
    libc.linkFd(unnamed, path);
  } catch (err) {
    if (hasErrno(err, "EEXIST")) return undefined;
    throw err;
  }
  let target: number;
  try {
    target = libc.openWith(path, libc.O_PATH | libc.O_NOFOLLOW);
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  if (sameFile(identityOfFd(target), identityOfFd(unnamed))) return { lock: unnamed, target };
  libc.close(target);
  return undefined;
}

/**
 * A new entry at `path` made by name and locked after, as ip makes it, the
 * dir's lock held shared in between: a prune's second look, or a delete that
 * found an entry empty, holds it exclusively (deleting.ts), and so never
 * meets the file made and not yet locked, which looks like a leftover.
 */
function byName(path: string, dir: string): Claimed | undefined {
  const held = holdDir(dir, false);
  try {
    const made = createFile(path);
    if (made === undefined) return undefined;
    if (lockStale(path, made)) return { lock: made, target: made };
    libc.close(made);
    return undefined;
  } finally {
    libc.close(held);
  }
}

/**
 * A new entry at `path`, locked before it has its name where the file system
 * allows (lockedUnnamed), else made by name and locked after; undefined if the
 * name is taken (or the file was taken over, pruned or removed before it was
 * locked, or mounted on).
 */
function newEntry(path: string, dir: string): Claimed | undefined {
  const unnamed = lockedUnnamed(dir);
  if (unnamed === undefined) return byName(path, dir);
  let claimed: Claimed | undefined;
  try {
    claimed = linked(unnamed, path);
    return claimed;
  } finally {
    if (claimed === undefined) libc.close(unnamed);
  }
}

/**
 * The entry for a new namespace named `name`, locked and checked to have
 * nothing mounted on it: a file made now, or a stale one taken over.
 */
function claim(path: string, name: string, dir: string): Claimed {
  const notLeftover = leftoverRule(dir);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const made = newEntry(path, dir);
    if (made !== undefined) return made;
    // Only the file a killed creator left is taken over: an empty one of a user's own (/etc/subuid) is refused.
    const stale = openStale(path, isLeftover(notLeftover));
    if (stale !== undefined) return { lock: stale, target: stale };
    const verdict = entryVerdict(path, notLeftover);
    if (verdict.kind === "other") throw refusal(path, verdict);
    if (verdict.kind !== "missing") {
      // A leftover that could not be locked is being made into a namespace by someone else right now.
      throw new AlreadyExistsError("namespace", `a namespace named "${name}" already exists in ${dir}`);
    }
  }
  throw new AlreadyExistsError("namespace", `"${name}" in ${dir} kept changing while being created`);
}

/**
 * Creates `${dir}/${name}`: claims the entry, then bind-mounts on it the
 * namespace at the path `make` returns (called under the lock: the worker
 * unshares there, so a name already taken costs no namespace). On any
 * failure nothing is left behind.
 */
export function createNamedWith(name: string, dir: string, make: () => string): NamedNs {
  prepareDir(dir);
  const path = `${dir}/${name}`;
  const { lock, target } = claim(path, name, dir);
  try {
    // Through the descriptor checked under the lock, not the path, which could have changed since.
    libc.mount(make(), `/proc/thread-self/fd/${target}`, "none", libc.MS_BIND);
  } catch (err) {
    // Still locked, so still the file claimed, with nothing mounted on it.
    unlinkSync(path);
    throw err;
  } finally {
    if (target !== lock) libc.close(target);
    libc.close(lock);
  }
  return { name, path };
}
