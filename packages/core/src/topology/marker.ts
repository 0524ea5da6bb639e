/**
 * The kernel-side mark of a topology's nodes: the alias
 * `neslink:<topology>:<node>` on a node namespace's loopback (it lives and
 * dies with the namespace). Its own module, free of the pool, so that a node
 * can be found (locate.ts) by a reader that starts no worker.
 */

export const MARKER_PREFIX = "neslink:";

/** Said after a node's marker once its `exec` commands have run (or it has none): they run once, on the apply that completes the node. */
const READY = " ready";

/** The loopback alias that marks a namespace as a topology's node, and whether its commands have run. */
export function marker(topology: string, node: string, ready = false): string {
  return `${markerPrefix(topology)}${node}${ready ? READY : ""}`;
}

/** What every marker of `topology`'s nodes starts with (a topology's name has no colon). */
export function markerPrefix(topology: string): string {
  return `${MARKER_PREFIX}${topology}:`;
}

export function parseMarker(alias: string | null): { topology: string; node: string; ready: boolean } | undefined {
  if (alias === null || !alias.startsWith(MARKER_PREFIX)) return undefined;
  const ready = alias.endsWith(READY);
  const [topology, node, ...rest] = alias.slice(MARKER_PREFIX.length, ready ? -READY.length : undefined).split(":");
  return topology && node && rest.length === 0 ? { topology, node, ready } : undefined;
}
