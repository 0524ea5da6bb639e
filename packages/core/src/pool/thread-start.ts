/**
 * Starting a thread (a pool's worker, a watch's listener) short of
 * descriptors. A new thread's event loop opens several as it starts (libuv's
 * loop: its epoll, its signal pipe's two ends, its async eventfd). When one
 * after the epoll is refused, libuv's error path leaves the epoll open for the
 * process's life (Node 20): every start that fails so leaks one. So a start
 * without room for them is refused before the thread is started, with a typed
 * error naming the limit (SystemCallError's message).
 */
import { type ErrnoName, errno as errnos } from "../errno.js";
import { errorFromJSON, SystemCallError, toErrorJSON } from "../errors.js";
import * as libc from "../ffi/libc.js";

/** Descriptors a new thread's event loop opens as it starts. */
export const THREAD_LOOP_DESCRIPTORS = 4;

/**
 * Throws EMFILE (a SystemCallError naming `what`) unless `descriptors` can be
 * opened now; opens them for an instant only. Another thread that opens
 * descriptors in between can still take that room: a start fails just as
 * clearly then, but that epoll stays.
 */
export function ensureRoom(descriptors: number, what: string): void {
  const held: number[] = [];
  try {
    for (let i = 0; i < descriptors; i++) held.push(libc.eventfd(what));
  } finally {
    for (const fd of held) libc.close(fd);
  }
}

/**
 * A thread's `error` event as a SystemCallError when a system call was
 * refused; undefined for anything else. Out of descriptors, it may come before
 * any of the thread's code runs: its event loop could not be made
 * (ERR_WORKER_INIT_FAILED, naming the errno), or a file of its code could not
 * be opened (a Node errno error). `what` says which thread could not start.
 */
export function systemCallErrorOf(err: Error, what: string): SystemCallError | undefined {
  const init = /^Worker initialization failure: (E[A-Z0-9]+)$/.exec(err.message)?.[1];
  if ((err as { code?: unknown }).code === "ERR_WORKER_INIT_FAILED" && init !== undefined && init in errnos) {
    return new SystemCallError("uv_loop_init", errnos[init as ErrnoName], what);
  }
  const json = toErrorJSON(err);
  return json.name === "SystemCallError" ? (errorFromJSON(json) as SystemCallError) : undefined;
}
