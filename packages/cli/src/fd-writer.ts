/**
 * Output written straight to a standard descriptor. Node's process.stdout is
 * a stream, made at its first use, and making it loads ~20 of Node's own
 * modules (~2-3 ms of CPU for a pipe or a terminal), which a one-shot command
 * that prints a table does not need: on Linux, Node writes to a pipe or a
 * terminal synchronously anyway, so the order of what is printed is the same.
 */
import { writeSync } from "node:fs";
import type { Writable } from "node:stream";
import { drained } from "./drained.js";

type Write = (fd: number, buffer: Uint8Array, offset: number) => number;

/** Text, or bytes as they came (the agent's client passes on a command's output in pieces that may split a character). */
export type FdWriter = ((chunk: string | Uint8Array) => void) & {
  drained(): Promise<void>;
  unsent(): boolean;
};

/**
 * A writer of `fd`. A descriptor set non-blocking by whoever gave it (EAGAIN
 * when full) hands what is left, and everything after, to `stream()`, which
 * waits as a stream does. EPIPE, the reader gone: the rest is dropped, as
 * `ip` would die of SIGPIPE without a word, and `left` is called (once).
 */
export function fdWriter(fd: number, stream: () => NodeJS.WritableStream, write: Write = writeSync, left: () => void = () => {}): FdWriter {
  let viaStream = false;
  let readerGone = false;
  const gone = () => {
    if (readerGone) return;
    readerGone = true;
    left();
  };
  const toStream = (chunk: string | Uint8Array) => {
    const writable = stream();
    if (!viaStream) {
      viaStream = true;
      // The stream meets the reader's departure later, as an 'error' event: unheard, Node would die of it with a stack trace.
      writable.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code !== "EPIPE") throw err;
        gone();
      });
    }
    writable.write(chunk);
  };
  const writer = (chunk: string | Uint8Array) => {
    if (readerGone) return;
    if (viaStream) {
      toStream(chunk);
      return;
    }
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let done = 0;
    try {
      while (done < bytes.length) done += write(fd, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EPIPE") gone();
      else if (code === "EAGAIN") toStream(bytes.subarray(done));
      else throw err;
    }
  };
  // Written straight to the descriptor, nothing waits: only the stream buffers.
  const buffering = () => viaStream && !readerGone;
  return Object.assign(writer, {
    drained: () => (buffering() ? drained(stream()) : Promise.resolve()),
    /** Text written that the stream still holds, for a reader yet to take it. */
    unsent: () => buffering() && ((stream() as Partial<Writable>).writableLength ?? 0) > 0,
  });
}
