/**
 * A topology command (apply, destroy, plan) interrupted: Ctrl-C, SIGTERM, or its output's reader gone. The lab is
 * left as the signal found it, so the user is told what became of it, and how to go on, before the command ends as
 * the signal would have ended it. Once its work is done, the runner holds those signals instead (late-signal.ts).
 */
import { NeslinkError } from "@neslink/core/errors";
import type { Outcome, Session } from "./command.js";
import { INTERRUPTS } from "./late-signal.js";
import { errorJson, toJson } from "./output.js";

/**
 * What stops a lab's command part-way: INTERRUPTS, and the terminal hanging up (an ssh session or a terminal window
 * closed), whose SIGHUP would otherwise kill apply mid-change and leave a namespace's /run/netns entry unmounted.
 * The lab is left as for the others (changes in flight end first), and the command ends of SIGHUP, status 129.
 */
const STOPS: readonly NodeJS.Signals[] = [...INTERRUPTS, "SIGHUP"];

/** What an interrupt makes of a command: its words, and whether they wait for its work to stop. */
export interface Fate {
  /** A function where the words wait for the work to settle (`settles`), and tell what it did: made when said. */
  said: string | (() => string);
  /**
   * The work was told to stop where nothing is left half-made (an apply under way ends the changes in flight): the
   * words go out once it has, with what it did (`done`) in the --json error, and the command ends of the signal then.
   */
  settles?: boolean;
  /** What the --json error adds to the words, found as they are said (an apply's `done`: the changes it made). */
  extra?: () => Record<string, unknown>;
  /**
   * The work, once begun, runs on to its end whatever the signal (core's destroy): when it settles whole, its words
   * still say what it did and the command ends of the signal; its result does not stand as an apply's last change's.
   */
  runsOn?: boolean;
}

/**
 * How long an interrupted command's work is given to settle before its words are said and it ends of the signal all
 * the same: a change in flight that does not end (a program's start that hangs) must not hold the Ctrl-C for ever.
 */
export const SETTLE_MS = 5000;

/**
 * The command was interrupted and its words said, but the signal did not end the process (a line of an interactive
 * `neslink shell`, whose Ctrl-C ends the line, not the session): the runner ends the command with the signal's status,
 * saying nothing more.
 */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Runs `work`, listening for interrupts until it ends. On the first, `fate(signal)` (which may also stop what the
 * command draws, and the work) says what became of the lab; that is printed on stderr (with --json, as an error on
 * stdout) and then the command ends of the signal: an error `work` throws then is not said (the signal's words were).
 * A second one while the work settles has the words said at once (with what it did so far) and ends it (not where
 * the work runs on and the process outlives the signal: Terminal.outlives); one while
 * the words go out ends it at once. Work that settles whole (its
 * last change begun before the signal) returns its result, with the signal as `heard`: its result stands (but where
 * its fate `runsOn`: its words are said then, and the command ends of the signal).
 */
export async function onInterrupt<T extends Outcome>(
  session: Session,
  fate: (signal: NodeJS.Signals) => string | Fate,
  work: () => Promise<T>,
): Promise<T> {
  const { terminal } = session;
  let heard: NodeJS.Signals | undefined;
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
  const say = (signal: NodeJS.Signals, words: string, extra: Record<string, unknown> = {}) => {
    const said = `${signal}: ${words}`;
    // The words alone, as the error's message: no cause (a plain Error there read as ERR_UNKNOWN, noise in JSON).
    if (session.json) session.print(toJson({ error: { ...errorJson(new NeslinkError("ERR_ABORTED", said)).error, ...extra } }));
    else terminal.stderr.write(`neslink: ${said}\n`);
    // Listened to until then: a second Ctrl-C with no handler would kill the CLI before a bar gave the terminal back.
    // Once what was written has gone out: the agent's client is told of the end at once, ahead of output still queued.
    // Its reader gone, stdout has nothing to send and only an EPIPE to give (to a socket: an 'error' event, a crash).
    if (signal === "SIGPIPE") end(signal);
    else terminal.stdout.write("", () => end(signal));
  };
  /** Once a settling interrupt is heard: says its words (at once if the work has ended, or after SETTLE_MS). */
  let settled: (() => void) | undefined;
  /**
   * Whether a second interrupt, or SETTLE_MS, has the words said before the work settles: not of work that runs on
   * where the process outlives the signal (a destroy on a shell's line), whose line ends with the work all the same.
   */
  let early = true;
  let unsaid = false;
  let runsOn = false;
  let grace: NodeJS.Timeout | undefined;
  const unlisten = terminal.onSignals(STOPS, (signal) => {
    // A second while the work settles: not waited for, but said all the same (with what was done so far), and the
    // command ends with it; one while the words go out ends it at once.
    if (heard !== undefined) return unsaid ? early && settled?.() : end(signal);
    heard = signal;
    const told = fate(signal);
    const words = (fate: Fate) => (typeof fate.said === "string" ? fate.said : fate.said());
    if (typeof told === "string" || !told.settles) return say(signal, typeof told === "string" ? told : words(told));
    unsaid = true;
    runsOn = told.runsOn === true;
    early = !runsOn || terminal.outlives?.(signal) !== true;
    settled = () => {
      if (!unsaid || done) return;
      unsaid = false;
      clearTimeout(grace);
      say(signal, words(told), session.json ? (told.extra?.() ?? {}) : {});
    };
    if (early) grace = setTimeout(settled, SETTLE_MS);
  });
  /** Once the words are out and the signal raised: where that did not end the process, the command ends here. */
  const interrupted = async (signal: NodeJS.Signals): Promise<never> => {
    await ended;
    throw new Interrupted(signal);
  };
  try {
    const result = await work();
    if (heard === undefined) return result;
    // Heard only as its last change was under way (its words not said yet): the lab is as asked, the result stands.
    if (unsaid && !done && !runsOn) {
      done = true;
      return { ...result, heard };
    }
    // Work that ran on whole once interrupted: said now, with what it did.
    settled?.();
    return await interrupted(heard);
  } catch (err) {
    if (err instanceof Interrupted || heard === undefined) throw err;
    // Stopped where it was safe to: said now, with what it did.
    settled?.();
    // Said already, and ended by the signal: not said again as an error.
    return await interrupted(heard);
  } finally {
    clearTimeout(grace);
    // The command ended by itself: the runner's hold takes over (Command.interruptible).
    unlisten();
  }
}

/**
 * Whether `signal` stops a lab's change under way (`begun`), or one not begun yet: not where the change goes on (the
 * agent's session, whose caller can leave; a reader gone, which does not end this process: labFate says so).
 */
export function stopsWork(session: Session, signal: NodeJS.Signals, begun: boolean): boolean {
  return !begun || (signal !== "SIGPIPE" && session.terminal.ended === undefined);
}

/**
 * What became of a lab whose change (`verb`: "applied", "destroyed") had `begun` when `signal` came, and the
 * commands that go on from there (`again`: the verb's command line, for apply also destroy's).
 */
export function labFate(
  session: Session,
  signal: NodeJS.Signals,
  lab: string,
  verb: string,
  begun: boolean,
  again: string,
  /** What the stopped work did, as its error counts it ("4 changes made, 8 not attempted"): said with "partly". */
  counts?: string,
): string {
  if (!begun) return `${lab} was not ${verb}; nothing was changed.`;
  // The agent's session (a terminal whose caller can leave: `ended`) does not stop a change under way: it finishes there.
  if (session.terminal.ended !== undefined) return `${lab} goes on being ${verb} by the agent; ${again}`;
  // Nor does a reader leaving end this process (Node ignores SIGPIPE, so raising it does not): it goes on.
  if (signal === "SIGPIPE") return `the output's reader left; ${lab} goes on being ${verb} to its end.`;
  return `${lab} is partly ${verb}${counts === undefined ? "" : ` (${counts})`}; ${again}`;
}
