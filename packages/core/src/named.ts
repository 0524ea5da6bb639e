/**
 * @neslink/core/named — the named-namespace directory read and tidied from
 * the calling thread (no worker pool, no codec): `listNamed`, `pruneNamed`.
 * What `neslink ns list` needs, and nothing more, so it starts fast.
 */
export { listNamed } from "./namespace/list.js";
export { type PruneResult, pruneNamed } from "./namespace/prune.js";
