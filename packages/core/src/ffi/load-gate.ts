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
 */

/** The gate's one cell: the worker's load, or the process's exit. */
export const IDLE = 0;
export const LOADING = 1;
export const LOADED = 2;
export const EXITING = 3;

/** Where a worker finds its gate (a SharedArrayBuffer of one Int32) in its workerData. */
export const GATE_KEY = "nativeLoadGate";
