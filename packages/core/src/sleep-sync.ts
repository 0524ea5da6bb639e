/**
 * A synchronous sleep, for the few waits that must not yield to the event
 * loop (a lock's holder letting go, a pipe's writer finishing, a worker
 * waiting for descriptors): Atomics.wait on a cell nothing ever wakes. Node
 * allows it on the main thread too.
 */
const NEVER_WOKEN = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms`. */
export function sleepSync(ms: number): void {
  Atomics.wait(NEVER_WOKEN, 0, 0, ms);
}
