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

/** Marks the load over: from here the thread may be ended at any time. */
function loadOver(): void {
  if (gate === undefined) return;
  Atomics.store(gate, 0, LOADED);
  Atomics.notify(gate, 0);
}

if (gate !== undefined) {
  // The process is exiting and will end this thread: wait for that rather than load (the wait is where it ends).
  if (Atomics.compareExchange(gate, 0, IDLE, LOADING) === EXITING) Atomics.wait(gate, 0, EXITING);
  // An end waits for the load however long it takes: a load that fails (a module that throws, no descriptor left for
  // one) ends the thread, whose exit listeners still run (before its error reaches the parent), and must say so, or
  // the process's exit would wait for it forever.
  process.once("exit", loadOver);
}

/** Marks the load done: from here the thread may be ended at any time, but within a later load (gateLaterLoads). */
export function nativeLoaded(): void {
  process.off("exit", loadOver);
  loadOver();
  if (gate !== undefined) gateLaterLoads(gate);
}

/**
 * Every native module the thread loads from now on (user code's: a custom
 * action's module that loads an addon) is marked under way as the first was,
 * or, the thread being ended, not loaded: the thread waits for its end instead.
 */
function gateLaterLoads(gate: Int32Array): void {
  const dlopen = process.dlopen;
  process.dlopen = function gatedDlopen(...args: Parameters<typeof process.dlopen>): void {
    const was = Atomics.compareExchange(gate, 0, LOADED, LOADING);
    if (was === EXITING) Atomics.wait(gate, 0, EXITING);
    try {
      dlopen.apply(this, args);
    } finally {
      // Nested in a load already marked (an addon's init loading another): that one's end unmarks it.
      if (was === LOADED) loadOver();
    }
  };
}
