/**
 * Messages over the MessagePort of a spawned program (see spawn in exec.ts):
 * the worker relays the program's output and exit to the caller's thread,
 * which sends its input, flow control and signals back.
 */

export type ExecStream = "stdout" | "stderr";

/** How a program ended: `status` is null when a signal (named in `signal`) ended it. */
export interface ExecExit {
  status: number | null;
  signal: NodeJS.Signals | null;
}

export type FromExec =
  | { type: "spawned"; pid: number }
  | { type: "data"; stream: ExecStream; data: Uint8Array }
  /** The last stdin chunk reached the program's pipe (or the program is gone): the next may come. */
  | { type: "stdinWritten" }
  /** Always the last message: every output message was sent before it. */
  | ({ type: "exit" } & ExecExit);

export type ToExec =
  /** One chunk at a time: the next waits for "stdinWritten", so a program that does not read cannot make either side buffer without end. */
  | { type: "stdin"; data: Uint8Array }
  | { type: "stdinEnd" }
  /** The reader is behind: stop reading the program's pipe until "resume". */
  | { type: "pause"; stream: ExecStream }
  | { type: "resume"; stream: ExecStream }
  | { type: "kill"; signal: NodeJS.Signals };
