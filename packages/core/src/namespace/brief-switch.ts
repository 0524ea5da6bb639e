/**
 * The calling thread in another namespace for a few system calls, then
 * home again before any other JavaScript runs: what opening a socket (or
 * making a namespace) there needs, without the ~30 ms of CPU a worker takes
 * to start. Only synchronous calls run while away, so no callback, timer or
 * promise of the program's can ever see the thread elsewhere; a thread that
 * cannot get back is dirty and ends the process at once (_exit), as a worker
 * that cannot is ended (DESIGN: a dirty thread never runs anything again).
 */
import * as libc from "../ffi/libc.js";

const SELF_NS = "/proc/thread-self/ns/net";
/** What a process that cannot return to its namespace exits with (it must run nothing more). */
const DIRTY_STATUS = 125;

/** Back to the namespace open as `home`, or, if that fails, the process ends before anything runs there. */
export function returnOrExit(home: number): void {
  try {
    libc.setns(home, libc.CLONE_NEWNET, "return");
  } catch {
    libc.exitNow(DIRTY_STATUS);
  }
}

/** A descriptor for the calling thread's namespace, to come back to (untracked: close it with libc.close). */
export function openHome(): number {
  return libc.openUntracked(SELF_NS);
}

/**
 * Runs `work` (synchronous: system calls, nothing that yields) with the
 * calling thread switched by `leave` (a setns or an unshare, which must
 * leave the thread where it was when it throws), and returns the thread home
 * whatever `work` does. Throws what `leave` or `work` threw.
 */
export function awayBriefly<T>(leave: () => void, work: () => T): T {
  const home = openHome();
  try {
    leave();
    try {
      return work();
    } finally {
      returnOrExit(home);
    }
  } finally {
    libc.close(home);
  }
}
