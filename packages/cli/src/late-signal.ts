/**
 * Ctrl-C (or SIGTERM) that comes once a command's work is done, while what it
 * says of that work goes out: for a command that changes a lab, that output
 * is the record of a change that happened. Dying of the signal then cut it,
 * and a status of 130 said the change was interrupted when it was complete.
 */
import type { Io } from "./main.js";

/** Signals that end a command part-way, as they would have without neslink's handler. */
export const INTERRUPTS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export interface Held {
  /** Once all that was printed has gone out, the signals are no longer held. */
  release(): Promise<void>;
}

/**
 * Holds INTERRUPTS from now, for `command` (its name) whose work is done, until `release()`: the first one is said on
 * stderr and the command ends with its own status; a second ends it at once, as the signal would have.
 */
export function holdInterrupts(io: Io, command: string): Held {
  const { terminal } = io;
  let heard = false;
  const unlisten = terminal.onSignals(INTERRUPTS, (signal) => {
    // The reader gone (SIGPIPE) or the terminal hung up (SIGHUP), which reach every handler: the output has nowhere to
    // go, and the bin ends as those end.
    if (!INTERRUPTS.includes(signal)) return;
    if (heard) {
      unlisten();
      terminal.raise(signal);
      return;
    }
    heard = true;
    io.err(`neslink: ${signal}: ${command} had already finished; its result stands.\n`);
  });
  return {
    async release() {
      try {
        await io.sent?.();
      } finally {
        unlisten();
      }
    },
  };
}
