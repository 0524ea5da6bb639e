/**
 * Backpressure for a command that prints without end (monitor): it awaits
 * this after each line, so a reader that stops reading stops it too, and what
 * it has not printed yet waits in core (bounded: a watch's maxQueued), not in
 * the output stream's buffer, which Node lets grow without bound.
 */
import type { Writable } from "node:stream";

/** Resolves once `stream` has room again (at once if it has); also once it is closed or failed, which unblocks nothing more. */
export function drained(stream: NodeJS.WritableStream): Promise<void> {
  const s = stream as Partial<Writable> & NodeJS.WritableStream;
  if (!s.writableNeedDrain || s.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      s.off("drain", done);
      s.off("close", done);
      s.off("error", done);
      resolve();
    };
    s.on("drain", done);
    s.on("close", done);
    s.on("error", done);
  });
}

/**
 * Resolves once all written to `stream` so far has gone to its reader, or cannot (the stream failed or was closed): an
 * empty write's callback comes only after the writes queued before it.
 */
export function written(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}
