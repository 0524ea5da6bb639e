/**
 * Output written straight to a standard descriptor. Node's process.stdout is
 * a stream, made at its first use, and making it loads ~20 of Node's own
 * modules (~2-3 ms of CPU for a pipe or a terminal), which a one-shot command
 * that prints a table does not need: on Linux, Node writes to a pipe or a
 * terminal synchronously anyway, so the order of what is printed is the same.
 */
import { fstatSync, type Stats, writeSync } from "node:fs";
import type { Writable } from "node:stream";
import { drained, written } from "./drained.js";
import { poolWriter } from "./pool-writer.js";

type Write = (fd: number, buffer: Uint8Array, offset: number) => number;

/** Text, or bytes as they came (the agent's client passes on a command's output in pieces that may split a character). */
export type FdWriter = ((chunk: string | Uint8Array) => void) & {
  drained(): Promise<void>;
  /** Resolves once everything written has gone to the reader (or the reader has gone). */
  sent(): Promise<void>;
  unsent(): boolean;
  /** Whether a write of it is under way on libuv's pool: a process exiting waits for that (it joins the pool's threads). */
  onPool(): boolean;
  /** From now on, writes as `pooled` does (unless the stream has taken over, which does not hold the main thread either). */
  toPool(): void;
  /** The error that stopped the output (ENOSPC, a disk's EIO, ...): what was given after it was dropped. */
  lost(): NodeJS.ErrnoException | undefined;
};

/** The signal a write's error `code` on `fd` stands for, if it says the reader has gone. */
function goneBy(fd: number, code: string | undefined): "SIGPIPE" | "SIGHUP" | undefined {
  if (code === "EPIPE") return "SIGPIPE";
  // A disk's EIO is an error to report; a terminal's is its hang-up (looked at only then: a stat).
  if (code === "EIO" && isCharacterDevice(fd)) return "SIGHUP";
  return undefined;
}

/** What `fd` is, as fstat says; undefined for a descriptor that is not open. */
function statOf(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

const isCharacterDevice = (fd: number) => statOf(fd)?.isCharacterDevice() === true;

/** Whether a reader that stops reading can hold a write to `fd` for ever: a pipe's or a socket's (a terminal's or a file's takes it). */
export function mayStall(fd: number): boolean {
  const stat = statOf(fd);
  return stat !== undefined && (stat.isFIFO() || stat.isSocket());
}

/**
 * A writer of `fd`. A descriptor set non-blocking by whoever gave it (EAGAIN
 * when full) hands what is left, and everything after, to `stream()`, which
 * waits as a stream does. The reader gone: the rest is dropped, and `left` is
 * called (once) with the signal that says so: EPIPE, as `ip` would die of
 * SIGPIPE without a word; EIO from a terminal, which hung up (its window or
 * ssh session closed), SIGHUP. Any other error (a full disk's ENOSPC, a
 * file's EIO) stops the output too, kept for lost(): thrown, it would end
 * the command half-way (an apply between two changes); the caller says it.
 *
 * `pooled`: written on libuv's pool instead, in order (drained() once all is
 * written). A blocking descriptor whose reader stopped reading holds write(2),
 * and a main thread held there runs no signal handler: the agent's client,
 * which must pass a SIGINT on while its output waits, writes so.
 */
export function fdWriter(
  fd: number,
  stream: () => NodeJS.WritableStream,
  write: Write = writeSync,
  left: (signal: "SIGPIPE" | "SIGHUP") => void = () => {},
  pooled = false,
): FdWriter {
  let onPool = pooled;
  let viaStream = false;
  let readerGone = false;
  let lost: NodeJS.ErrnoException | undefined;
  const lose = (err: unknown) => {
    lost ??= err as NodeJS.ErrnoException;
  };
  /** Whether `err` says the reader has gone (then it is told, once). */
  const gone = (err: unknown): boolean => {
    const signal = goneBy(fd, (err as NodeJS.ErrnoException).code);
    if (signal === undefined) return false;
    if (!readerGone) {
      readerGone = true;
      left(signal);
    }
    return true;
  };
  const toStream = (chunk: string | Uint8Array) => {
    const writable = stream();
    if (!viaStream) {
      viaStream = true;
      // The stream meets the reader's departure later, as an 'error' event: unheard, Node would die of it with a stack trace.
      writable.on("error", (err: NodeJS.ErrnoException) => {
        if (!gone(err)) lose(err);
      });
    }
    writable.write(chunk);
  };
  /** A write that failed with `err`, `rest` unwritten. */
  const failed = (err: unknown, rest: Uint8Array) => {
    if (gone(err)) return;
    if ((err as NodeJS.ErrnoException).code === "EAGAIN") toStream(rest);
    else lose(err);
  };
  // A failed write on the pool stops it: EAGAIN's rest goes to the stream, and after EPIPE nothing is written again.
  const pool = poolWriter(fd, (err, rest) => failed(err, Buffer.concat(rest)));
  const writer = (chunk: string | Uint8Array) => {
    if (readerGone || lost) return;
    if (viaStream) {
      toStream(chunk);
      return;
    }
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (onPool) {
      if (bytes.length > 0) pool(bytes);
      return;
    }
    let done = 0;
    try {
      while (done < bytes.length) done += write(fd, bytes, done);
    } catch (err) {
      failed(err, bytes.subarray(done));
    }
  };
  // Written straight to the descriptor, nothing waits: only the stream, or the pool's queue, holds output.
  const buffering = () => viaStream && !readerGone && lost === undefined;
  return Object.assign(writer, {
    drained: () => (pool.busy() ? pool.idle() : buffering() ? drained(stream()) : Promise.resolve()),
    // The pool's EAGAIN hands its rest to the stream: both, in that order.
    sent: async () => {
      await pool.idle();
      if (buffering()) await written(stream());
    },
    /** Text written that the stream or the pool still holds, for a reader yet to take it. */
    unsent: () => pool.busy() || (buffering() && ((stream() as Partial<Writable>).writableLength ?? 0) > 0),
    onPool: pool.busy,
    toPool: () => {
      onPool = true;
    },
    lost: () => lost,
  });
}
