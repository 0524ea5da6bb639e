/**
 * Bytes written to a descriptor on libuv's pool, in order, one write at a
 * time. Not with writeSync: a blocking descriptor (the agent's socket, a pipe)
 * whose reader stopped reading holds write(2), and a main thread held there
 * reads nothing and runs no signal handler. Both the agent's client's frames
 * and the bin's output through the agent are written so.
 */
import { write } from "node:fs";

export type PoolWriter = ((bytes: Uint8Array) => void) & {
  /** Whether a write is under way: a process exiting waits for it (it joins the pool's threads). */
  busy(): boolean;
  /** Resolves once no write is under way (at once if none is). */
  idle(): Promise<void>;
  /** Drops what waits and takes nothing more; a write under way ends as it ends, and only then is the writer idle. */
  stop(): void;
};

/**
 * A writer of `fd`. A write that fails stops the writer: what it held (the
 * failed piece's unwritten part first) is given to `failed`, which decides
 * what becomes of it; by default it is dropped.
 */
export function poolWriter(fd: number, failed: (err: NodeJS.ErrnoException, rest: Uint8Array[]) => void = () => {}): PoolWriter {
  const queue: Uint8Array[] = [];
  let writing = false;
  let stopped = false;
  let waiters: (() => void)[] = [];
  const next = () => {
    const head = queue[0];
    if (head === undefined) {
      writing = false;
      const woken = waiters;
      waiters = [];
      for (const then of woken) then();
      return;
    }
    write(fd, head, (err, n) => {
      if (err) {
        const rest = queue.splice(0);
        stopped = true;
        failed(err, rest);
        // Once stopped, the head is no longer queued: what was written of it does not matter.
      } else if (!stopped) {
        if (n < head.length) queue[0] = head.subarray(n);
        else queue.shift();
      }
      next();
    });
  };
  const writer = (bytes: Uint8Array) => {
    if (stopped) return;
    queue.push(bytes);
    if (writing) return;
    writing = true;
    next();
  };
  return Object.assign(writer, {
    busy: () => writing,
    idle: () => (writing ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    stop: () => {
      stopped = true;
      queue.length = 0;
    },
  });
}
