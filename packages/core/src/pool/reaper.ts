/**
 * Collects the programs of workers that ended before them (see
 * worker/children.ts). PR_SET_PDEATHSIG kills them when their worker's
 * thread ends, a moment later; without setpriv they run on. Each is asked
 * after, without waiting, until it has ended and is collected.
 */
import { reapChild } from "../ffi/libc.js";

const REAP_EVERY_MS = 100;

const orphans = new Set<number>();
let timer: NodeJS.Timeout | undefined;

export function reapOrphans(pids: Iterable<number>): void {
  for (const pid of pids) orphans.add(pid);
  sweep();
}

function sweep(): void {
  for (const pid of orphans) {
    try {
      if (reapChild(pid)) orphans.delete(pid);
    } catch {
      // Not ours to wait for (EINVAL cannot happen with these arguments): nothing to collect.
      orphans.delete(pid);
    }
  }
  if (orphans.size === 0) {
    clearInterval(timer);
    timer = undefined;
  } else if (timer === undefined) {
    // A program left running must not keep the process alive.
    timer = setInterval(sweep, REAP_EVERY_MS).unref();
  }
}
