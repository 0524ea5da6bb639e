/**
 * @neslink/core/spawn — `spawn` and `exec`, and the namespace providers that
 * say where: what `neslink exec` needs, and nothing more. Where nsenter can
 * enter the namespace no worker starts (see exec-here.ts); the pool is
 * loaded only when one must.
 */
export type { ExecOptions, ExecResult, SpawnOptions, SpawnStdio } from "./actions/ns-actions.js";
export type { ExecControl, ExecExit, ExecProcess } from "./exec.js";
export { exec, spawn } from "./exec.js";
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
