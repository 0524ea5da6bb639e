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
 * lock, is not waited for.
 */
import { identityOfFd } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { heldTooLong, LOCKED_WAIT_MS, lockedWithin } from "./entry.js";

/**
 * The dir's flock, held (`exclusive`: by a delete that found its entry empty; shared: by one that is to unmount)
 * until the returned descriptor is closed (libc.close). EBUSY past LOCKED_WAIT_MS.
 */
export function holdDir(dir: string, exclusive: boolean): number {
  // Never a FIFO's open that waits: the entries were found in a dir, and this is that path again.
  const fd = libc.openWith(dir, libc.O_RDONLY | libc.O_DIRECTORY | libc.O_NONBLOCK);
  if (lockedWithin(fd, LOCKED_WAIT_MS, exclusive ? libc.LOCK_EX : libc.LOCK_SH)) return fd;
  try {
    throw heldTooLong(dir, identityOfFd(fd));
  } finally {
    libc.close(fd);
  }
}
