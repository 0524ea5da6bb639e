/**
 * Waiting for a namespace's end. Deleting a named namespace only drops a
 * reference; the kernel destroys it later (a quarter of a second after 500
 * deletions here, tens of seconds after thousands). Callers that must know it
 * is really gone (topology destroy, deleteNamed) wait for its RTM_DELNSID
 * instead of sleeping.
 */
import { AbortedError } from "../errors.js";
import type { NsProvider } from "../namespace/providers.js";
import { watch } from "./watch.js";

export interface GoneWatch {
  /** Resolves once the kernel has destroyed the namespace; rejects with AbortedError if cancelled first. */
  gone: Promise<void>;
  /** Stops waiting (and closes the watch's socket). */
  cancel(): Promise<void>;
}

/**
 * Starts watching for the end of the namespace `provider` names; resolves
 * once watching (so call it before deleting the namespace's file).
 *
 * ```ts
 * const { gone } = await watchGone(ns.name("lab1"));
 * await nsDo(ns.now(), na.deleteNamed("lab1"));
 * await gone; // the kernel has destroyed it
 * ```
 */
export async function watchGone(provider: NsProvider, options: { signal?: AbortSignal } = {}): Promise<GoneWatch> {
  const stream = watch(provider, { groups: [], signal: options.signal, receiveBuffer: 1 << 16 });
  await stream.ready;
  const gone = (async () => {
    for await (const event of stream) if (event.type === "gone") return;
    throw new AbortedError(new Error("stopped waiting before the namespace was gone"));
  })();
  // Whoever cancels need not also handle the rejection.
  gone.catch(() => {});
  return { gone, cancel: () => stream.close() };
}
