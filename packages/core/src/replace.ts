/**
 * @neslink/core/replace — a program run in place of this process, inside a
 * namespace (exec-replace.ts), and the namespace providers that say where:
 * what a one-shot `neslink exec` needs when it can hand its process over,
 * and nothing more (no child_process, no streams, no pool).
 */
export { canReplace, replaceWith } from "./exec-replace.js";
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
