/**
 * Deletes of a mount dir's entries, told apart from leftovers. A delete
 * unmounts an entry's namespace, then unlinks the file under it, and no lock
 * on that file can span both steps (it is under the mount until the
 * unmount): between them the entry looks like a leftover (an empty file,
 * nothing mounted), and another delete of the name took it for one, removed
 * it and said it deleted the namespace, while the delete that had unmounted
 * it found its file gone and said ERR_NS_NOT_FOUND. So a delete that is to
 * unmount holds a shared flock on the dir itself from before its unmount to
 * after its unlink, and a delete that finds the entry empty holds it
 * exclusively while it judges and removes the entry: it waits out the deletes
 * under way in the dir (a few system calls each), then finds the entry gone
 * (theirs) or still there (a leftover, its own to remove). ip, which takes no
 * lock, is not waited for. The same holds for the other two moments an entry
 * of neslink's looks like a leftover and is not: a create where the file
 * system makes no unnamed file (claim.ts) holds the dir shared from making its
 * entry by name to locking it, and a prune's second look, and a lab's clean-up
 * of its leftovers, hold it exclusively. A wait for the dir's lock goes on
 * as long as its holders get on with what they do (stalled.ts): a lab's
 * destroy holds it for its whole run.
 */
import { NamespaceDirBusyError } from "../errors.js";
import { identityOfFd } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { LOCKED_WAIT_MS, lockTries, paused, pausedAsync } from "./entry.js";
import { describedHolder } from "./flocked.js";
import { type HoldersSeen, type Stall, stalled, holdersOf } from "./stalled.js";

// Never a FIFO's open that waits: the entries were found in a dir, and this is that path again.
const openDir = (dir: string) => libc.openWith(dir, libc.O_RDONLY | libc.O_DIRECTORY | libc.O_NONBLOCK);

/**
 * Tries for the lock of the dir open as `fd` for as long as its holders get
 * on (stalled.ts), looking at them every LOCKED_WAIT_MS; yields the pauses
 * it asks for, and returns the stall it gave up on, or undefined once held.
 */
function* dirTries(fd: number, exclusive: boolean): Generator<number, Stall | undefined> {
  let seen: HoldersSeen | undefined;
  for (;;) {
    if (yield* lockTries(fd, LOCKED_WAIT_MS, exclusive ? libc.LOCK_EX : libc.LOCK_SH)) return undefined;
    const now = holdersOf(identityOfFd(fd));
    const stall = stalled(seen, now, LOCKED_WAIT_MS);
    if (stall) return stall;
    seen = now;
  }
}

/** `fd` (on `dir`) once held; else closed, and the stall as an error saying what to do. */
function heldOrBusy(dir: string, fd: number, stall: Stall | undefined): number {
  if (stall === undefined) return fd;
  libc.close(fd);
  const holder = stall.holder === "" ? "another process" : describedHolder(stall.holder);
  throw new NamespaceDirBusyError(
    dir,
    stall.holder,
    `${dir} is locked by ${holder}, which deletes or creates namespaces there, and ${stall.why}: nothing was changed here; run this again once that process has finished, or end it (its lock goes with it)`,
  );
}

/**
 * The dir's flock, held (`exclusive`: by a delete that found its entry empty, a prune's second look, a lab's clean-up
 * of its leftovers; shared: by one that is to unmount, a create that makes its entry by name) until the returned
 * descriptor is closed (libc.close). Waited for while its holders get on; NamespaceDirBusyError once they do not.
 */
export function holdDir(dir: string, exclusive: boolean): number {
  const fd = openDir(dir);
  let stall: Stall | undefined;
  try {
    stall = paused(dirTries(fd, exclusive));
  } catch (err) {
    libc.close(fd);
    throw err;
  }
  return heldOrBusy(dir, fd, stall);
}

/** holdDir, its wait on a timer: the event loop goes on meanwhile. */
export async function holdDirAsync(dir: string, exclusive: boolean): Promise<number> {
  const fd = openDir(dir);
  let stall: Stall | undefined;
  try {
    stall = await pausedAsync(dirTries(fd, exclusive));
  } catch (err) {
    libc.close(fd);
    throw err;
  }
  return heldOrBusy(dir, fd, stall);
}
