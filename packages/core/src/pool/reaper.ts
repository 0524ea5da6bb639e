/**
 * Collects the programs of workers that ended before them (see
 * worker/children.ts), and ends those tied to their worker: PR_SET_PDEATHSIG
 * does that a moment after the worker's thread ends, but setpriv asks for it
 * only after its own exec, and a program whose worker ended in between set it
 * with a parent thread that lives on, and ran its full length. Without
 * setpriv they run on, as they always have. Each is asked after, without
 * waiting, until it has ended and is collected.
 */
import { closePidfd, killPidfd, reapChild, reapPidfd } from "../ffi/libc.js";
import type { RecordedChild } from "../worker/children.js";

const REAP_EVERY_MS = 100;

const orphans = new Set<RecordedChild>();
let timer: NodeJS.Timeout | undefined;

export function reapOrphans(children: Iterable<RecordedChild>): void {
  for (const child of children) {
    // By pidfd only: a pid recorded may be another process's by now (see worker/children.ts).
    if (child.tied && "pidfd" in child) endQuietly(child.pidfd);
    orphans.add(child);
  }
  sweep();
}

function endQuietly(pidfd: number): void {
  try {
    killPidfd(pidfd);
  } catch {
    // Not signalled (EPERM cannot happen to our own child): it is collected all the same once it ends.
  }
}

function sweep(): void {
  for (const child of orphans) if (gone(child)) orphans.delete(child);
  if (orphans.size === 0) {
    clearInterval(timer);
    timer = undefined;
  } else if (timer === undefined) {
    // A program left running must not keep the process alive.
    timer = setInterval(sweep, REAP_EVERY_MS).unref();
  }
}

/** Whether `child` is collected: now, or before (by its worker's loop, whose exit callback did not run). */
function gone(child: RecordedChild): boolean {
  if ("pid" in child) {
    try {
      return reapChild(child.pid);
    } catch {
      // Not ours to wait for (EINVAL cannot happen with these arguments): nothing to collect.
      return true;
    }
  }
  let collected: boolean;
  try {
    collected = reapPidfd(child.pidfd);
  } catch {
    // P_PIDFD unknown (EINVAL, Linux 5.3 alone): nothing this can collect it by.
    collected = true;
  }
  if (collected) {
    try {
      closePidfd(child.pidfd);
    } catch {
      // Only if closed already, which nothing else does: a timer must not throw either way.
    }
  }
  return collected;
}
