/**
 * What a plan checks of its lab's lock: that no apply or destroy of the lab
 * held it at any moment while the plan read the kernel (what it read then is
 * half made, and its plan lists changes nobody needs). It used to read
 * /proc/locks before the reads and again after them, and each reading first
 * waits for an RCU grace period (flocked.ts), unless another ended less than
 * one before: the reading after the reads of a lab of a hundred nodes or more
 * waited anew, 20 to 45 ms on a loaded 2-core host, after the reads' own 8 to
 * 17 before them.
 *
 * Now /proc/locks is read once, before the reads: a lock held then refuses
 * the plan at once. After the reads, the lock file's mark is looked at (a
 * stat): whoever takes the lock sets its mtime forward as soon as it holds it,
 * before it changes anything (lock.ts), and a destroy removes the file. A lock
 * taken after that reading changes the mark before its holder changes the lab,
 * so a mark unchanged after the reads means nothing was changed under them by
 * an apply or destroy; a mark changed means one took the lock meanwhile,
 * whether it still holds it (it is named, from /proc/locks read again) or has
 * let go (which the two readings missed). The mark is taken before the reading:
 * a lock taken between the two is held at the reading or has moved the mark.
 *
 * Only a holder that marks the file is seen taking the lock meanwhile: one of
 * an earlier neslink, or a hand-run `flock`, only if it holds it when the plan
 * begins (before, one still holding it after the reads was named too).
 */
import { assertUnlocked, lockFile, lockMark, refuseHolder, TopologyLockedError } from "./lock.js";
import { flockHolder } from "../namespace/flocked.js";

/** Asserts `topology` unlocked now (TopologyLockedError) and returns its lock file's mark, for unlockedSince after the reads. */
export function unlockedBefore(topology: string): string | undefined {
  const mark = lockMark(topology);
  if (mark !== undefined) assertUnlocked(topology);
  return mark;
}

/** Throws TopologyLockedError if the lock of `topology` was taken since its mark was `mark` (unlockedBefore). */
export function unlockedSince(topology: string, mark: string | undefined): void {
  if (lockMark(topology) === mark) return;
  const file = lockFile(topology);
  if (file !== undefined) refuseHolder(topology, flockHolder(file));
  throw new TopologyLockedError(topology, "", { meanwhile: true });
}
