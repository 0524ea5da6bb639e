/**
 * Work of the calling thread that holds descriptors across awaits (a socket
 * opened inside or aimed at another namespace, that namespace's file), run
 * one call after another in the order the calls were made, as a worker runs
 * its tasks. Calls started together (a Promise.all of thousands) would
 * otherwise each hold theirs at once, and meet EMFILE where a pool would not.
 */
let queue: Promise<unknown> = Promise.resolve();

/** `work` started once every call to inTurn made before has settled. It must not itself wait for inTurn. */
export function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work);
  queue = run.catch(() => undefined);
  return run;
}
