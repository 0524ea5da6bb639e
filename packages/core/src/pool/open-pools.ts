/**
 * How many pools this process has open. A worker keeps descriptors and
 * sockets on the namespaces it worked in, and those keep a namespace alive
 * after its name is removed; only a worker's own delete closes them. So a
 * named namespace is removed from the calling thread (named-here.ts) only
 * while no pool is open. Its own module, shared by every entry point's bundle
 * (scripts/bundle.mjs), so that they all count the same pools.
 */
let open = 0;

export function poolOpened(): void {
  open++;
}

export function poolClosed(): void {
  open--;
}

/** Whether any pool of this process is open (started and not yet closed). */
export function anyPoolOpen(): boolean {
  return open > 0;
}
