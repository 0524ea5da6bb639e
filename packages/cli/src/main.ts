/** One call of the CLI: argv in, text out, an exit status back. Nothing here touches the process. */

import { parse, topicOf, wantsJson } from "./args.js";
import type { Command, Invocation, Outcome, Terminal } from "./command.js";
import { commands } from "./commands/index.js";
import { closePool, setPoolSize } from "./core.js";
import { helpText } from "./help.js";
import { Interrupted } from "./interrupt.js";
import { type Held, holdInterrupts, INTERRUPT_STATUS } from "./late-signal.js";
import { errorJson, errorText, exitCodeOf, jsonLine, printable, privilegeHint, procHint, toJson } from "./output.js";
import { invocationIn } from "./paths.js";
import { markProgram } from "./program-argv.js";
import { version } from "./version.js";

export interface Io {
  out(text: string): void;
  /** Resolves once `out` has room again (see Session.drained). */
  drained?(): Promise<void>;
  err(text: string): void;
  /**
   * From now on `out` and `err` do not wait for their readers on the main thread, where a reader can leave them full (a
   * pipe's): a write that waits holds no signal handler or timer up (a held signal's bound, late-signal.ts).
   */
  offMain?(): void;
  /** Resolves once all that `err` was given has gone to its reader (or can no longer go). */
  errSent?(): Promise<void>;
  /** Whether `out` could not write (ENOSPC, ...): what it is given goes nowhere. */
  outLost?(): boolean;
  /** Resolves once all that `out` and `err` were given has gone to their reader (or can no longer go). */
  sent?(): Promise<void>;
  terminal: Terminal;
}

/** JSON as --json prints a document: indented, or on one line where documents follow each other (the shell's lines). */
export type JsonLayout = "indented" | "line";

const layouts: Record<JsonLayout, (value: unknown) => string> = { indented: toJson, line: jsonLine };

/**
 * Prints a command's error as the CLI does (JSON on stdout, or a line on
 * stderr) and returns its exit status. A usage error points to the help of
 * `topic`, the command or group it concerns ("" for all of them).
 */
export function fail(thrown: unknown, json: boolean, io: Io, topic = "", layout: JsonLayout = "indented"): number {
  const err = io.terminal.asCallerSees?.(thrown) ?? thrown;
  const code = exitCodeOf(err);
  if (json) io.out(layouts[layout](errorJson(err)));
  // The document could not be written: the error is said on stderr, as without --json, rather than lost with it.
  if (!json || io.outLost?.()) {
    io.err(errorText(err, false));
    if (code === 2) io.err(`Run "neslink ${topic === "" ? "" : `${topic} `}--help" for usage.\n`);
    io.err(privilegeHint(err, io.terminal.unprivileged));
    io.err(procHint(err));
  }
  return code;
}

/** A lab's lock held by a neslink agent, said to be the agent's: looked for (one read of /proc/locks) only for that error. */
async function holderNamed(err: unknown): Promise<unknown> {
  if ((err as { code?: unknown } | null)?.code !== "ERR_TOPOLOGY_LOCKED") return err;
  return (await import("./agent/own-lock.js")).asAgentHolds(err);
}

export interface MainOptions {
  /** Leave the pool running for the next call (the shell's lines); by default it ends with the command. */
  keepPool?: boolean;
  /** How a --json document is laid out (the shell's: a line each, JSON Lines). */
  layout?: JsonLayout;
  /**
   * Told of a signal held once an interruptible command's work was done (its result printed whole): the shell's
   * script still ends of it, before its next line.
   */
  onLateSignal?: (signal: NodeJS.Signals) => void;
}

async function execute(
  command: Command,
  invocation: Invocation,
  json: boolean,
  io: Io,
  keepPool: boolean,
  layout: JsonLayout,
  onLateSignal?: (signal: NodeJS.Signals) => void,
): Promise<number> {
  if (!keepPool) setPoolSize(command.parallel ? undefined : 1);
  let held: Held | undefined;
  try {
    // Text carries names the kernel reports, which anyone may have made: printable() escapes what a terminal would obey.
    const print = json ? io.out : (text: string) => io.out(printable(text));
    let outcome: Outcome;
    try {
      outcome = await command.run(invocation, {
        json,
        terminal: io.terminal,
        print,
        drained: () => io.drained?.() ?? Promise.resolve(),
        sent: () => io.sent?.() ?? Promise.resolve(),
      });
    } finally {
      // Its work done, the command's own handler is gone; this one takes over with no turn of the event loop between
      // (a signal is handled only on one), and holds until its result or error and the pool's end are out.
      if (command.interruptible) held = holdInterrupts(io, command.name, onLateSignal);
    }
    if (outcome.heard !== undefined) held?.hear(outcome.heard);
    if (json) {
      // Nothing of its own to print (the shell: its lines printed theirs).
      if (outcome.data !== undefined) io.out(layouts[layout](outcome.data));
    } else {
      print(outcome.text);
      if (outcome.stderr) io.err(printable(outcome.stderr));
    }
    return outcome.exitCode ?? 0;
  } catch (err) {
    // Its words said, the process was not ended by the signal (an interactive shell's line): nothing more to say.
    if (err instanceof Interrupted) return INTERRUPT_STATUS[err.signal] ?? 1;
    return fail(await holderNamed(err), json, io, command.name, layout);
  } finally {
    try {
      if (!keepPool) await closePool();
    } finally {
      await held?.release();
    }
  }
}

export async function main(given: readonly string[], io: Io, options: MainOptions = {}): Promise<number> {
  const argv = markProgram(given);
  const json = wantsJson(argv);
  const layout = options.layout ?? "indented";
  // Nothing typed at all: likely a first try, so what there is to type, not only that something is missing.
  if (given.length === 0) {
    io.err(`neslink: a command is required\n\n${await helpText("", commands)}`);
    return 2;
  }
  try {
    const parsed = parse(argv, commands);
    switch (parsed.kind) {
      case "version":
        io.out(json ? layouts[layout]({ version }) : `${version}\n`);
        return 0;
      case "help": {
        const help = await helpText(parsed.topic, commands);
        io.out(json ? layouts[layout]({ topic: parsed.topic, help }) : help);
        return 0;
      }
      case "run": {
        const { cwd } = io.terminal;
        const invocation = cwd === undefined ? parsed.invocation : invocationIn(cwd, parsed.invocation);
        return await execute(parsed.command, invocation, json, io, options.keepPool === true, layout, options.onLateSignal);
      }
    }
  } catch (err) {
    return fail(err, json, io, topicOf(argv, commands), layout);
  }
}
