import { createReadStream } from "node:fs";
import { PassThrough } from "node:stream";
import { ValidationError } from "@neslink/core/errors";
import { parse } from "shell-quote";
import type { Run, Session } from "../../command.js";
import { boundedLines } from "../../lines.js";
import { INTERRUPT_STATUS } from "../../late-signal.js";
import type { Io } from "../../main.js";
import { printable } from "../../output.js";

type MainModule = typeof import("../../main.js");

/**
 * The shell's work, loaded only when `neslink shell` runs (shell-quote is
 * needed by no other command).
 */

/**
 * What shell-quote reads differently from a shell, found before it reads the
 * line: a quote left open or a last backslash (a shell reads on into the next
 * line; shell-quote closes them, so `link del "v0 -n lab` ran `link del v0`
 * in lab), a `#` inside a word (a shell keeps `a#b` as one word;
 * shell-quote drops `#b` as a comment), a command substitution (`` `id` ``,
 * or `$(id)` inside double quotes: a shell runs it, shell-quote keeps its
 * text as a word) and a `~` starting a word (a shell makes it a home
 * directory, shell-quote keeps it). Returns the first one, or undefined.
 */
function misread(line: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    const wordStart = i === 0 || /\s/.test(line[i - 1] as string);
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === "\\") {
      if (++i === line.length) return "\\ at the end of the line";
    } else if (c === "`" || (c === "$" && line[i + 1] === "(")) return `${c === "`" ? "`" : "$("} (command substitution)`;
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "~" && wordStart) return "~ starting a word (quote it)";
    else if (c === "#") {
      if (wordStart) return undefined;
      return "# inside a word (quote it)";
    }
  }
  return quote === undefined ? undefined : `${quote} not closed`;
}

/** A variable, which a shell would expand and shell-quote replaces by "": refused as shell syntax, never silently emptied. */
const variable = (name: string) => (name === "" ? undefined : { op: `$${name}` });

/** A line's words as a shell would split them (quotes, escapes, # comments); operators, variables and globs are refused. */
export function wordsOf(line: string, lineNo: number): string[] {
  const refuse = (syntax: string) =>
    new ValidationError(`line ${lineNo}`, `shell syntax is not supported here: ${syntax} (one neslink command a line, run as it is)`);
  const unread = misread(line);
  if (unread !== undefined) throw refuse(unread);
  const words: string[] = [];
  for (const entry of parse(line, variable)) {
    if (typeof entry === "string") words.push(entry);
    else if ("comment" in entry) break;
    else throw refuse(`"${entry.op === "glob" ? entry.pattern : entry.op}"`);
  }
  return words;
}

/** A line's status: main's, or a usage error for a line that is not one command (reported as main reports one). */
async function runLine(
  cli: MainModule,
  line: string,
  lineNo: number,
  json: boolean,
  io: Io,
  onLateSignal: (signal: NodeJS.Signals) => void,
): Promise<number> {
  let words: string[];
  try {
    words = wordsOf(line, lineNo);
  } catch (err) {
    return cli.fail(err, json, io, "", "line");
  }
  if (words.length === 0) return 0;
  // In front: after the words it would be an exec's program's own argument.
  // One document a line (JSON Lines): a reader takes each line's result as it comes.
  return cli.main(json ? ["--json", ...words] : words, io, { keepPool: true, layout: "line", onLateSignal });
}

/** As a shell killed by SIGHUP reports it: 128 + 1. */
const HUNG_UP = 129;

export async function runLines(lines: AsyncIterable<string>, session: Session, interactive: boolean): Promise<number> {
  // Loaded here, not imported above: main loads the commands, this one among them.
  const cli = await import("../../main.js");
  // A program run by `exec` here gets no input: standard input is this script.
  const stdin = new PassThrough();
  stdin.end();
  const next = lines[Symbol.asyncIterator]();
  // A question given up on (Ctrl-C) leaves its read waiting for the terminal's next line, which is the prompt's: the
  // next read takes it from there.
  let waiting: Promise<string | undefined> | undefined;
  const read = () => {
    waiting ??= next.next().then(
      ({ done, value }) => {
        waiting = undefined;
        return done ? undefined : value;
      },
      (err: unknown) => {
        waiting = undefined;
        throw err;
      },
    );
    return waiting;
  };
  let asking = false;
  // Ctrl-C while a line's command runs (exec's program, monitor) leaves the cursor after the terminal's "^C": the line
  // is ended there and then, before the command says or prints anything more (exec --json's object, a program's last
  // words), so that what it does print, and the next prompt after it, start lines of their own, as bash's prompt does
  // after a job Ctrl-C ended. Once for each Ctrl-C, however many of the command's handlers it reaches (all at once).
  let lineEnded = false;
  const endLine = () => {
    if (!interactive || lineEnded) return;
    lineEnded = true;
    session.terminal.stdout.write("\n");
    queueMicrotask(() => {
      lineEnded = false;
    });
  };
  const outlived = (signal: NodeJS.Signals) => interactive && signal === "SIGINT";
  const io = {
    out: session.print,
    err: (text: string) => session.terminal.stderr.write(text),
    sent: session.sent,
    // A line's program must not take the shell's place, nor read the script: neslink's own descriptors are not given
    // to it (ownStdio), where it would race this loop for the script's next lines. A Ctrl-C at a question is the
    // question's (ask), not the command's: the command would end the session with it.
    terminal: {
      ...session.terminal,
      stdin,
      ownStdio: false,
      replaceable: false,
      onSignals: (signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void) =>
        session.terminal.onSignals(signals, (signal) => {
          if (signal !== "SIGINT") return handler(signal);
          if (asking) return;
          endLine();
          handler(signal);
        }),
      // Ctrl-C ends the line's command, not the session (an apply under way stops as it would typed in a shell, its
      // words said): as exec's program or monitor, it comes back to the prompt. A script, and SIGTERM, still end.
      raise: (signal: NodeJS.Signals) => {
        if (!outlived(signal)) session.terminal.raise(signal);
      },
      outlives: outlived,
      ...(interactive ? { ask } : {}),
    },
  };
  // A person at the prompt is asked what they would be asked typing the command in a shell (apply, destroy): the
  // terminal is this loop's to read, so the question's answer is the next line typed. Ctrl-C there is no, as it
  // ends the command typed in a shell before it changes anything; the session goes on.
  async function ask(question: string): Promise<string | undefined> {
    session.terminal.stdout.write(question);
    let unlisten = () => {};
    const interrupted = new Promise<undefined>((resolve) => {
      unlisten = session.terminal.onSignals(["SIGINT"], () => resolve(undefined));
    });
    asking = true;
    try {
      const answer = await Promise.race([read(), interrupted]);
      if (answer === undefined) session.terminal.stdout.write("\n");
      return answer;
    } finally {
      asking = false;
      unlisten();
    }
  }
  const prompt = () => interactive && session.terminal.stdout.write("neslink> ");
  // Ctrl-C at the prompt drops the line being typed (the terminal discards it) and prompts again, as a shell does;
  // while a line runs, that command's own handling applies (apply's, exec's); Ctrl-D ends the session.
  const readCommand = async () => {
    if (!interactive) return read();
    const unlisten = session.terminal.onSignals(["SIGINT"], () => {
      session.terminal.stdout.write("\n");
      prompt();
    });
    try {
      return await read();
    } finally {
      unlisten();
    }
  };
  let lineNo = 0;
  let status = 0;
  prompt();
  try {
    for (let line = await readCommand(); line !== undefined; line = await readCommand()) {
      // Whoever sent the script has gone: what is left of it is not run.
      if (session.terminal.ended?.aborted) return HUNG_UP;
      lineNo++;
      let late: NodeJS.Signals | undefined;
      status = await runLine(cli, line, lineNo, session.json, io, (signal) => {
        late = signal;
      });
      // A signal that came as a line's result was printed was held so as not to cut it; it still ends a script, and a
      // session with SIGTERM, before the next line, as it would have ended them. At the prompt, Ctrl-C is the prompt's.
      if (late !== undefined && (!interactive || late !== "SIGINT")) {
        session.terminal.raise(late);
        return INTERRUPT_STATUS[late] ?? 1;
      }
      // As `ip -batch`: a script stops at its first failure; a person at the prompt goes on.
      if (status !== 0 && !interactive) {
        // The line is whatever was piped in (a binary, a captured colour log): its escape sequences are not the terminal's.
        io.err(`neslink: stopped at line ${lineNo}: ${printable(line.trim())}\n`);
        return status;
      }
      prompt();
    }
    return interactive ? 0 : status;
  } finally {
    // As a for-await left early would: a file read is closed (the agent runs on), standard input is left open.
    await next.return?.(undefined);
  }
}

/** `-f FILE` that cannot be read, said of FILE (as a topology file is), not as a bare errno. */
async function* readable(file: string, input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* input;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory" : code;
    if (typeof code === "string" && code.startsWith("E")) throw new ValidationError("file", `cannot read ${file}: ${why}`);
    throw err;
  }
}

/** Reads FILE, or standard input (a prompt if it is a terminal), and runs each line; returns the exit status. */
export async function runShell(file: string | undefined, session: Session): Promise<number> {
  // A script that stops at a failing line leaves standard input as it was (open): it is not the shell's to close.
  const input = file === undefined ? session.terminal.stdin.iterator({ destroyOnReturn: false }) : readable(file, createReadStream(file));
  const interactive = file === undefined && session.terminal.stdin.isTTY === true;
  return await runLines(boundedLines(input), session, interactive);
}

export const shell: Run = async ({ options }, session) => ({
  data: undefined,
  text: "",
  exitCode: await runShell(options.file as string | undefined, session),
});
