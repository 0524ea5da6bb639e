/**
 * A FIFO given as the topology file (`mkfifo f; gen-lab > f & neslink plan f`), or a pipe (`<(gen-lab)`), read as
 * `cat f` reads it: its writer waited for, then read to its end. Core's load refuses a FIFO nothing was written to yet, at once: a library
 * call must not block its caller. The wait is here, on the event loop (epoll on the FIFO), not a blocked thread:
 * through the agent, one client's FIFO must not stall every other client's command, and Ctrl-C ends it.
 */
import { closeSync, constants, type FSWatcher, fstatSync, openSync, type Stats, statSync, watch } from "node:fs";
import { Socket } from "node:net";
import { basename, dirname } from "node:path";
import { AbortedError, ValidationError } from "@neslink/core/errors";

/** How long a FIFO's writer may take to come and finish. */
export const FIFO_WAIT_MS = 60_000;

/** What `path` leads to now, if not the FIFO `opened` (its stat) any more: "removed", "replaced by a regular file". */
function replacement(path: string, opened: Stats): string | undefined {
  let now: Stats | undefined;
  try {
    now = statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (now === undefined) return "removed";
  if (now.dev === opened.dev && now.ino === opened.ino) return undefined;
  const kind = now.isFile() ? "a regular file" : now.isFIFO() ? "another FIFO" : now.isDirectory() ? "a directory" : "something else";
  return `replaced by ${kind}`;
}

/**
 * Calls `changed` on each change of the name `path` in its directory (inotify, on the event loop); undefined where the
 * directory cannot be watched (no watches left): the replacement is then found when the wait runs out.
 */
function watchName(path: string, changed: () => void): FSWatcher | undefined {
  const name = basename(path);
  try {
    const watcher = watch(dirname(path), { persistent: false }, (_event, changedName) => {
      if (changedName === null || changedName === name) changed();
    });
    watcher.on("error", () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}

/**
 * The bytes written to the FIFO at `path` (named `file` in errors) by its first writer, once it closes (none, if it
 * wrote nothing); at most `maxBytes`. Undefined if what opened is no FIFO (replaced before the open): the caller loads
 * the path as any other, and core says what it is. Refused when `path` is removed or replaced after the open, before
 * anything was written: its writer would write elsewhere.
 */
export async function fifoBytes(
  path: string,
  file: string,
  maxBytes: number,
  { waitMs = FIFO_WAIT_MS, signal }: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<Buffer | undefined> {
  // Its caller gone already: nothing opened.
  if (signal?.aborted) throw new AbortedError(signal.reason);
  // Non-blocking: an open for reading would otherwise wait in the kernel for a writer, on a thread no timer reaches.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const opened = fstatSync(fd);
  if (!opened.isFIFO()) {
    closeSync(fd);
    return undefined;
  }
  // A FIFO no writer has opened yet reports nothing to epoll (no hang-up before a first writer): the read waits.
  const pipe = new Socket({ fd, readable: true, writable: false });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const close = () => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener("abort", aborted);
      pipe.destroy();
    };
    const fail = (message: string) => {
      close();
      reject(new ValidationError("FILE", message));
    };
    // Its caller gone (the agent's client interrupted): the FIFO is let go, not read for a writer that comes later.
    const aborted = () => {
      close();
      reject(new AbortedError(signal?.reason));
    };
    // The FIFO's name given to something else before anything came (`rm f; gen-lab > f`): what is written goes there,
    // never to the FIFO held here. Said as soon as it happens, not as a FIFO nothing was written to.
    const replaced = () => {
      const what = size === 0 ? replacement(path, opened) : undefined;
      if (what !== undefined)
        fail(`${file} was ${what} while neslink waited for the FIFO's writer, before anything was written to it: run the command again`);
      return what !== undefined;
    };
    const timer = setTimeout(() => {
      if (!replaced())
        fail(`${file} is a pipe, and ${size === 0 ? "nothing was written to it" : "its writer did not finish"} within ${waitMs / 1000} s`);
    }, waitMs);
    const watcher = watchName(path, replaced);
    signal?.addEventListener("abort", aborted, { once: true });
    pipe.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(`${file} is larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    });
    pipe.on("error", (err) => fail(`${file}: ${err.message}`));
    // A writer that wrote nothing gives an empty file, which load says is empty (exit 3), as it says of an empty stdin.
    pipe.on("end", () => {
      close();
      resolve(Buffer.concat(chunks, size));
    });
    // A change between the open and the watch: no event comes for it.
    replaced();
  });
}
