/**
 * @neslink/core/named — the named-namespace directory read, tidied and
 * changed from the calling thread: `listNamed`, `pruneNamed` (and
 * `pruneNamedAsync`), and `addNamed` / `removeNamed`, which start no worker
 * where they need none (see named-here.ts; no codec either). What `neslink ns list|add|del|prune` need,
 * and nothing more, so they start fast.
 */
export { addNamed, removeNamed } from "./named-here.js";
export { listNamed } from "./namespace/list.js";
export { type PruneResult, pruneNamed, pruneNamedAsync } from "./namespace/prune.js";
