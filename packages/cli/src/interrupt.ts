/**
 * A topology command (apply, destroy) interrupted: Ctrl-C, SIGTERM, or its
 * output's reader gone. The lab is left as the signal found it, so the user
 * is told what became of it, and how to go on, before the command ends as the
 * signal would have ended it.
 */
import { NeslinkError } from "@neslink/core/errors";
import type { Session } from "./command.js";
import { errorJson, toJson } from "./output.js";

/** Signals that end a topology command part-way, as they would have without neslink's handler. */
const INTERRUPTS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export interface Interrupt {
  /** A signal came: the command's own error, if it throws one, is not said (the signal's words were). */
  readonly heard: boolean;
  /** Settles once the signal has ended the command (its words gone out). */
  readonly ended: Promise<void>;
  /** No longer listened to: the command ended by itself. */
  stop(): void;
}

/**
 * Listens for interrupts until `stop()`. On the first, `fate(signal)` (which
 * may also stop what the command draws) says what became of the lab; that is
 * printed on stderr (with --json, as an error on stdout) and then the command
 * ends of the signal. A second one while the words go out ends it at once.
 */
export function onInterrupt(session: Session, fate: (signal: NodeJS.Signals) => string): Interrupt {
  const { terminal } = session;
  let heard = false;
  let done = false;
  let onEnded = () => {};
  const ended = new Promise<void>((resolve) => {
    onEnded = resolve;
  });
  const end = (signal: NodeJS.Signals) => {
    if (done) return;
    done = true;
    unlisten();
    terminal.raise(signal);
    onEnded();
  };
  const unlisten = terminal.onSignals(INTERRUPTS, (signal) => {
    if (heard) return end(signal);
    heard = true;
    const said = `${signal}: ${fate(signal)}`;
    // The words alone, as the error's message: no cause (a plain Error there read as ERR_UNKNOWN, noise in JSON).
    if (session.json) session.print(toJson(errorJson(new NeslinkError("ERR_ABORTED", said))));
    else terminal.stderr.write(`neslink: ${said}\n`);
    // Listened to until then: a second Ctrl-C with no handler would kill the CLI before a bar gave the terminal back.
    // Once what was written has gone out: the agent's client is told of the end at once, ahead of output still queued.
    // Its reader gone, stdout has nothing to send and only an EPIPE to give (to a socket: an 'error' event, a crash).
    if (signal === "SIGPIPE") end(signal);
    else terminal.stdout.write("", () => end(signal));
  });
  return {
    get heard() {
      return heard;
    },
    ended,
    stop: unlisten,
  };
}

/**
 * What became of a lab whose change (`verb`: "applied", "destroyed") had `begun` when `signal` came, and the
 * commands that go on from there (`again`: the verb's command line, for apply also destroy's).
 */
export function labFate(session: Session, signal: NodeJS.Signals, lab: string, verb: string, begun: boolean, again: string): string {
  if (!begun) return `${lab} was not ${verb}; nothing was changed.`;
  // The agent's session (a terminal whose caller can leave: `ended`) does not stop a change under way: it finishes there.
  if (session.terminal.ended !== undefined) return `${lab} goes on being ${verb} by the agent; ${again}`;
  // Nor does a reader leaving end this process (Node ignores SIGPIPE, so raising it does not): it goes on.
  if (signal === "SIGPIPE") return `the output's reader left; ${lab} goes on being ${verb} to its end.`;
  return `${lab} is partly ${verb}; ${again}`;
}
