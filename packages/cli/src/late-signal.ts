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
  /** Told of a signal the command heard itself as its work ended (Outcome.heard): as if it came now. */
  hear(signal: NodeJS.Signals): void;
  /** Once all that was printed has gone out, the signals are no longer held. */
  release(): Promise<void>;
}

/** The status of a process that died of one of INTERRUPTS (or of STOPS), as a shell reports it. */
export const INTERRUPT_STATUS: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * How long a held signal waits for the output to go out: past it, the command ends of the signal all the same. A
 * reader that never reads (`neslink --json plan lab.yaml | (sleep 1000)`) held one SIGTERM, a supervisor's or
 * `timeout`'s, for ever, and only SIGKILL ended neslink.
 */
export const HOLD_MS = 2000;
/** How long the words said as the hold ends may take to reach stderr's reader before the command ends all the same. */
const SAID_MS = 250;

/**
 * Holds INTERRUPTS from now, for `command` (its name) whose work is done, until `release()`: the first one is said on
 * stderr, given to `heard`, and the command ends with its own status; a second ends it at once, as the signal would
 * have, and so does the first once held HOLD_MS with the output still not gone out (said, if stderr takes it).
 */
export function holdInterrupts(io: Io, command: string, heard: (signal: NodeJS.Signals) => void = () => {}): Held {
  const { terminal } = io;
  // A stdout or stderr whose reader stopped reading (a full pipe) held the main thread in the write of the command's
  // result or error or of these words, and with it the bound and a second signal: neslink never ended. Written off it,
  // what the reader never takes is lost.
  io.offMain?.();
  let held = false;
  let bound: NodeJS.Timeout | undefined;
  const end = (signal: NodeJS.Signals) => {
    clearTimeout(bound);
    unlisten();
    terminal.raise(signal);
  };
  const hear = (signal: NodeJS.Signals) => {
    // The reader gone (SIGPIPE) or the terminal hung up (SIGHUP), which reach every handler: the output has nowhere to
    // go, and the bin ends as those end.
    if (!INTERRUPTS.includes(signal)) return;
    if (held) return end(signal);
    held = true;
    io.err(`neslink: ${signal}: ${command} had already finished; its result stands.\n`);
    heard(signal);
    bound = setTimeout(async () => {
      io.err(`neslink: ${signal}: ${command}'s output was not taken within ${HOLD_MS / 1000} s (its reader does not read); ended.\n`);
      // Written off the main thread (offMain), the words are out only once that write is: ended at once, they were
      // lost. Waited for a moment, not for a stderr that does not take them either.
      const said = io.errSent?.();
      if (said !== undefined) await Promise.race([said, new Promise((r) => setTimeout(r, SAID_MS))]);
      end(signal);
    }, HOLD_MS);
  };
  const unlisten = terminal.onSignals(INTERRUPTS, hear);
  return {
    hear,
    async release() {
      try {
        await io.sent?.();
      } finally {
        clearTimeout(bound);
        unlisten();
      }
    },
  };
}
