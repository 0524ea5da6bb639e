/**
 * The calling thread in another namespace for a few system calls, then
 * home again before any other JavaScript runs: what opening a socket (or
 * making a namespace) there needs, without the ~30 ms of CPU a worker takes
 * to start. Only synchronous calls run while away, so no callback, timer or
 * promise of the program's can ever see the thread elsewhere; a thread that
 * cannot get back is dirty and ends the process at once (_exit), as a worker
 * that cannot is ended (DESIGN: a dirty thread never runs anything again).
 */
import { CAP_SYS_ADMIN, hasCaps } from "../capabilities.js";
import { hasErrno } from "../errno.js";
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

/** Whether this thread may come back to its namespace; probed once (see mayLeaveBriefly). */
let returnable: boolean | undefined;

/**
 * Whether the calling thread may leave its namespace briefly: it may enter
 * others (CAP_SYS_ADMIN), and it could come back. setns needs CAP_SYS_ADMIN
 * over the user namespace that owns the namespace entered, so root of a user
 * namespace of its own (`unshare -U -r`) that kept its parent's network
 * namespace could go out but never back, and would have to end. The way back
 * is probed with a setns to where the thread already is, which changes
 * nothing; where it is refused, the work goes to a worker, which reports a
 * failed return as it always has.
 */
export function mayLeaveBriefly(): boolean {
  if (!hasCaps(CAP_SYS_ADMIN)) return false;
  if (returnable !== undefined) return returnable;
  let home: number;
  try {
    home = openHome();
  } catch {
    // No descriptor to spare (EMFILE): a worker reports that; the probe waits for a later call.
    return false;
  }
  try {
    libc.setns(home, libc.CLONE_NEWNET, "return");
    returnable = true;
  } catch (err) {
    if (!hasErrno(err, "EPERM")) return false;
    returnable = false;
  } finally {
    libc.close(home);
  }
  return returnable;
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
