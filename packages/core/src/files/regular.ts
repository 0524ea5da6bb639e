/**
 * Reading a file that someone else may have put in place (a topology given by
 * path, a program's log, a token file): opened without blocking, since a FIFO
 * waits in open(2) for a writer (with locks held and signals unheard) and a
 * device never ends; only a regular file is read, and at most `maxBytes`.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { resolve } from "node:path";
import { ValidationError } from "../errors.js";
import { sleepSync } from "../sleep-sync.js";

export interface RegularFileOptions {
  /** Refused past this size; with `tail`, its last `maxBytes` are read instead. */
  maxBytes: number;
  tail?: boolean;
  /** false: a symlink in the file's place is refused (O_NOFOLLOW), as where the file's writer is not trusted. */
  follow?: boolean;
  /** A relative path is taken from here; messages name the path as given. */
  cwd?: string;
  /**
   * A pipe is read too (bash's `<(...)`, /dev/stdin), until its writer closes it, for at most this long: a secret or
   * a generated file handed over without a file. A FIFO no one writes to is refused at once, never waited on.
   */
  pipeWaitMs?: number;
  /** The open file's status, refused when this says why (checked on the descriptor read, not the path again). */
  refuse?: (stat: Stats) => string | undefined;
}

/** The file's bytes; a ValidationError naming `field` when it cannot be opened, is not a regular file, or is too large. */
export function readRegularFile(field: string, path: string, options: RegularFileOptions): Buffer {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.follow === false ? constants.O_NOFOLLOW : 0);
  let fd: number;
  try {
    fd = openSync(options.cwd === undefined ? path : resolve(options.cwd, path), flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(field, `cannot open ${path}: ${code === "ENOENT" ? "no such file" : code === "ELOOP" ? "a symlink" : code}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO() && options.pipeWaitMs !== undefined) return readPipe(field, path, fd, options.maxBytes, options.pipeWaitMs);
    if (!stat.isFile()) throw new ValidationError(field, `${path} is not a regular file`);
    const why = options.refuse?.(stat);
    if (why !== undefined) throw new ValidationError(field, `${path} ${why}`);
    if (stat.size === 0 && !options.tail) return readToEnd(field, path, fd, options.maxBytes);
    if (stat.size > options.maxBytes && !options.tail) throw new ValidationError(field, `${path} is larger than ${options.maxBytes} bytes`);
    const buf = Buffer.alloc(Math.min(stat.size, options.maxBytes));
    const from = stat.size - buf.length;
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A non-blocking pipe's bytes until its writer closes it (or none is there: read gives 0 at once). */
function readPipe(field: string, path: string, fd: number, maxBytes: number, waitMs: number): Buffer {
  const bytes = readToEnd(field, path, fd, maxBytes, waitMs);
  // A FIFO no one writes to ends at once, empty: said as such, not taken for an empty file.
  if (bytes.length === 0) throw new ValidationError(field, `${path} is a pipe, and nothing was written to it`);
  return bytes;
}

/**
 * Reads `fd` from where it is to its end, at most `maxBytes`: a pipe (waiting
 * on EAGAIN for at most `waitMs` in all), or a file whose size fstat does not tell (procfs
 * and sysfs say 0 for files that have content).
 */
function readToEnd(field: string, path: string, fd: number, maxBytes: number, waitMs?: number): Buffer {
  const until = waitMs === undefined ? undefined : Date.now() + waitMs;
  const chunks: Buffer[] = [];
  let size = 0;
  const chunk = Buffer.alloc(Math.min(maxBytes + 1, 65536));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN" || until === undefined) throw err;
      if (Date.now() > until) throw new ValidationError(field, `${path}: its writer did not finish within ${waitMs} ms`);
      // A synchronous wait: this runs before anything else has started (a server's token, a lab's file).
      sleepSync(10);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks, size);
    size += n;
    if (size > maxBytes) throw new ValidationError(field, `${path} is larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
}
