/**
 * The client's frames to the agent, written on libuv's pool one at a time.
 * Not with writeSync: the socket is a blocking one, and a process blocked in
 * write(2) while the agent is not reading (busy, stalled, or waiting for
 * this process to read output first) reads nothing and runs no signal
 * handler, so both ends could wait for ever.
 */
import { write } from "node:fs";

export interface SocketWriter {
  /** Queues `frame`; dropped once the agent is gone (a write failed) or the writer is closed. */
  send(frame: Uint8Array): void;
  /** Sends nothing more; `then` once no write is in progress, after which the descriptor may be closed. */
  close(then: () => void): void;
}

export function socketWriter(fd: number): SocketWriter {
  const queue: Uint8Array[] = [];
  let offset = 0;
  let writing = false;
  let open = true;
  let waiters: (() => void)[] = [];
  const idle = () => {
    writing = false;
    const woken = waiters;
    waiters = [];
    for (const then of woken) then();
  };
  const next = () => {
    const frame = queue[0];
    if (!open || frame === undefined) return idle();
    write(fd, frame, offset, frame.length - offset, null, (err, n) => {
      if (err) {
        // The agent went away: reading the socket says so.
        open = false;
        queue.length = 0;
      } else {
        offset += n;
        if (offset === frame.length) {
          queue.shift();
          offset = 0;
        }
      }
      next();
    });
  };
  return {
    send(frame) {
      if (!open) return;
      queue.push(frame);
      if (writing) return;
      writing = true;
      next();
    },
    close(then) {
      open = false;
      queue.length = 0;
      if (writing) waiters.push(then);
      else then();
    },
  };
}
