/**
 * @neslink/core/list — `listNamed` alone: what `neslink ns list` loads. The
 * named-namespace entry points of ./named.ts bring the validation layer and
 * child processes with them; a listing needs only the entry checks.
 */
export { listNamed } from "./namespace/list.js";
