/** What every command module provides, and what it hands back to be printed. */
import type { Readable, Writable } from "node:stream";

/** Options a command may accept besides the global ones (--json, --help, --version). */
export type OptionName = "ns";

/** A parsed call of one command. */
export interface Invocation {
  /** Positional arguments after the command's own words (for exec: the program and its arguments). */
  args: string[];
  /** --ns NAME, when given. */
  ns?: string | undefined;
}

/** The CLI's own standard streams and signals, which `exec` connects its program to. */
export interface Terminal {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Calls `handler` with each of `signals` the CLI receives (instead of dying of it), until the returned function is called. */
  onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void;
}

/** Where a command runs: whether --json was given, and the terminal. */
export interface Session {
  json: boolean;
  terminal: Terminal;
}

/** A finished command: `data` is what --json prints, `text` what a person reads. */
export interface Outcome {
  data: unknown;
  text: string;
  /** Printed on stderr in human mode (exec forwards the program's stderr). */
  stderr?: string;
  /** Non-zero when the call worked but its result is a failure (a program that exited non-zero). */
  exitCode?: number;
}

export interface Command {
  /** The words that select it, e.g. "ns add". */
  name: string;
  summary: string;
  /** The synopsis after "neslink ", e.g. "link show NAME [--ns NAME]". */
  synopsis: string;
  /** Names of required positional arguments, in order. */
  args: readonly string[];
  /** If set, one or more further positional arguments are taken, under this name. */
  rest?: string;
  options: readonly OptionName[];
  /** Extra paragraphs for `--help`. */
  details?: string;
  run(invocation: Invocation, session: Session): Promise<Outcome>;
}
