/**
 * One "abort" listener per AbortSignal, however many tasks wait on it. A
 * program that cancels a batch with one AbortController gives its signal to
 * every call of a Promise.all; a listener per task made Node print a
 * MaxListenersExceededWarning ("Possible EventTarget memory leak") from the
 * eleventh call on, though each listener went when its task settled.
 */
interface Waiting {
  listener: () => void;
  cancels: Set<() => void>;
}

const waiting = new WeakMap<AbortSignal, Waiting>();

/** Calls `cancel` once when `signal` aborts; returns what stops waiting (the signal's listener goes with the last). */
export function whenAborted(signal: AbortSignal, cancel: () => void): () => void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    const cancels = new Set<() => void>();
    const listener = () => {
      waiting.delete(signal);
      for (const each of cancels) each();
    };
    entry = { listener, cancels };
    waiting.set(signal, entry);
    signal.addEventListener("abort", listener, { once: true });
  }
  const { listener, cancels } = entry;
  cancels.add(cancel);
  return () => {
    cancels.delete(cancel);
    if (cancels.size > 0 || waiting.get(signal)?.cancels !== cancels) return;
    waiting.delete(signal);
    signal.removeEventListener("abort", listener);
  };
}
