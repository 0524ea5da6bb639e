/**
 * A topology command (apply, destroy, plan) interrupted: Ctrl-C, SIGTERM, or its output's reader gone. The lab is
 * left as the signal found it, so the user is told what became of it, and how to go on, before the command ends as
 * the signal would have ended it. Once its work is done, the runner holds those signals instead (late-signal.ts).
 */
import { NeslinkError } from "@neslink/core/errors";
import type { Session } from "./command.js";
import { INTERRUPTS } from "./late-signal.js";
import { errorJson, toJson } from "./output.js";

/**
 * Runs `work`, listening for interrupts until it ends. On the first, `fate(signal)` (which may also stop what the
 * command draws) says what became of the lab; that is printed on stderr (with --json, as an error on stdout) and then
 * the command ends of the signal: an error `work` throws then is not said (the signal's words were). A second one
 * while the words go out ends it at once.
 */
export async function onInterrupt<T>(session: Session, fate: (signal: NodeJS.Signals) => string, work: () => Promise<T>): Promise<T> {
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
  try {
    return await work();
  } catch (err) {
    // Said already, and ended by the signal: not said again as an error.
    if (heard) await ended;
    throw err;
  } finally {
    // The command ended by itself: the runner's hold takes over (Command.interruptible).
    unlisten();
  }
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
