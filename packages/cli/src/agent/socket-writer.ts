/**
 * The client's frames to the agent, written on libuv's pool one at a time.
 * Not with writeSync: the socket is a blocking one, and the agent stops
 * reading it while a command's input is full (`cat big | neslink exec NS --
 * cat`), until the command's output has been read; a process blocked in
 * write(2) reads nothing and runs no signal handler, so both would wait for
 * ever.
 */
import { write } from "node:fs";

export interface SocketWriter {
  /** Queues `frame`; dropped once the agent is gone (a write failed) or the writer is closed. */
  send(frame: Uint8Array): void;
  /** Whether frames are waiting or being written: the caller's input should wait too. */
  busy(): boolean;
  /** Calls `then` once nothing is being written (at once if nothing is). */
  whenIdle(then: () => void): void;
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
    busy: () => writing,
    whenIdle(then) {
      if (writing) waiters.push(then);
      else then();
    },
    close(then) {
      open = false;
      queue.length = 0;
      this.whenIdle(then);
    },
  };
}
