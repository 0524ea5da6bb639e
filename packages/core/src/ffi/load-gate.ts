/**
 * A worker thread ended while it loads koffi's native module aborts the whole
 * process (koffi's init fails inside the thread's teardown: "FATAL ERROR:
 * Error::ThrowAsJavaScriptException napi_throw", exit 134, in place of the
 * script's own error or exit code). A process ends its workers as it exits,
 * whatever they are doing: a script whose nsDo rejects uncaught, or that calls
 * process.exit(), while a second pool worker still starts, met it about one
 * time in twenty. So each worker's load goes through a gate shared with the
 * process: the worker marks its load begun (unless the process is exiting
 * already: then it never loads) and done; the exiting process waits for a
 * load under way (a few ms) and bars any from starting.
 *
 * The same holds for any native module the thread loads later: a custom
 * action's module that loads an addon (koffi of its own) as it is imported,
 * ended there by a timeout, an abort or a close, aborted the process too. So
 * every later load (process.dlopen, which `require` of a `.node` file calls)
 * goes through the gate as the first did, and an end bars loads from a
 * thread that has loaded as from one that has not.
 */

/** The gate's one cell: the worker's load, or the process's exit. */
export const IDLE = 0;
export const LOADING = 1;
export const LOADED = 2;
export const EXITING = 3;

/** Where a worker finds its gate (a SharedArrayBuffer of one Int32) in its workerData. */
export const GATE_KEY = "nativeLoadGate";

/**
 * Bars the worker's loads from now on (it will be ended), unless one is under
 * way: then true, and the end must wait for it (the gate is notified when it
 * is over). A worker that meets the bar waits where it is for its end.
 */
export function barLoads(gate: Int32Array): boolean {
  for (;;) {
    const now = Atomics.load(gate, 0);
    if (now === LOADING) return true;
    if (now === EXITING || Atomics.compareExchange(gate, 0, now, EXITING) === now) return false;
  }
}
