/**
 * nsDo through the default pool, remembering whether it was used: the pool
 * starts its worker threads when first asked for, so closing it after a call
 * that failed validation (or only printed help) would start them just to stop them.
 */
import { nsDo as coreNsDo, defaultPool, type NsAction, type NsDoResult, type NsProvider, type ResultsOf } from "@neslink/core";

let used = false;

export function nsDo<const A extends readonly NsAction[]>(provider: NsProvider, ...actions: A): Promise<NsDoResult<ResultsOf<A>>> {
  used = true;
  return coreNsDo(provider, ...actions);
}

/** Ends the pool's worker threads, if it was started, so the process can exit. */
export async function closePool(): Promise<void> {
  if (!used) return;
  // Pool.close() waits for its workers' "exit" events, but idle workers are unref()'d: with nothing
  // else pending the event loop empties first and Node exits with 13 (unsettled top-level await).
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await defaultPool().close();
  } finally {
    clearInterval(keepAlive);
  }
}
