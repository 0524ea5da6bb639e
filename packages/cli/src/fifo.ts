/**
 * A FIFO given as the topology file (`mkfifo f; gen-lab > f & neslink plan f`), or a pipe (`<(gen-lab)`), read as
 * `cat f` reads it: its writer waited for, then read to its end. Core's load refuses a FIFO nothing was written to yet, at once: a library
 * call must not block its caller. The wait is here, on the event loop (epoll on the FIFO), not a blocked thread:
 * through the agent, one client's FIFO must not stall every other client's command, and Ctrl-C ends it.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from "node:fs";
import { Socket } from "node:net";
import { AbortedError, ValidationError } from "@neslink/core/errors";

/** How long a FIFO's writer may take to come and finish. */
export const FIFO_WAIT_MS = 60_000;

export function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}

/**
 * The bytes written to the FIFO at `path` (named `file` in errors) by its first writer, once it closes; at most
 * `maxBytes`. Undefined if what opened is no FIFO (replaced meanwhile): the caller loads the path as any other, and
 * core says what it is.
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
  if (!fstatSync(fd).isFIFO()) {
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
    const timer = setTimeout(
      () =>
        fail(`${file} is a pipe, and ${size === 0 ? "nothing was written to it" : "its writer did not finish"} within ${waitMs / 1000} s`),
      waitMs,
    );
    signal?.addEventListener("abort", aborted, { once: true });
    pipe.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(`${file} is larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    });
    pipe.on("error", (err) => fail(`${file}: ${err.message}`));
    pipe.on("end", () => {
      close();
      if (size === 0) reject(new ValidationError("FILE", `${file} is a pipe, and nothing was written to it`));
      else resolve(Buffer.concat(chunks, size));
    });
  });
}
