/**
 * The worker's side of load-gate.ts. Imported for its effect first thing by
 * every worker entry, before any module that loads koffi: it marks the load
 * begun; the entry calls nativeLoaded once its imports (koffi among them)
 * are done.
 */
import { isMainThread, workerData } from "node:worker_threads";
import { EXITING, GATE_KEY, IDLE, LOADED, LOADING } from "./load-gate.js";

const shared: unknown = isMainThread ? undefined : (workerData as Record<string, unknown> | undefined)?.[GATE_KEY];
const gate = shared instanceof SharedArrayBuffer ? new Int32Array(shared) : undefined;

// The process is exiting and will end this thread: wait for that rather than load (the wait is where it ends).
if (gate !== undefined && Atomics.compareExchange(gate, 0, IDLE, LOADING) === EXITING) Atomics.wait(gate, 0, EXITING);

/** Marks the load done: from here the thread may be ended at any time. */
export function nativeLoaded(): void {
  if (gate === undefined) return;
  Atomics.store(gate, 0, LOADED);
  Atomics.notify(gate, 0);
}
