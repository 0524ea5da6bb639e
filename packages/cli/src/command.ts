/** What every command module provides, and what it hands back to be printed. */
import type { Readable, Writable } from "node:stream";

/** Options a command may accept besides the global ones (--json, --help, --version). */
export type OptionName =
  | "ns"
  | "dry-run"
  | "yes"
  | "detailed-exitcode"
  | "format"
  | "inet"
  | "inet6"
  | "file"
  | "socket"
  | "detach"
  | "idle-timeout"
  | "max-connections";

/** A parsed call of one command. */
export interface Invocation {
  /** Positional arguments after the command's own words (for exec: the program and its arguments). */
  args: string[];
  /** -n/--ns: a namespace name, path, pid or LAB:NODE, when given. */
  ns?: string | undefined;
  /** The other options given (booleans, or the value of one that takes a value). */
  options: Partial<Record<Exclude<OptionName, "ns">, string | boolean>>;
}

/** The CLI's own standard streams and signals, which `exec` connects its program to. */
export interface Terminal {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  /**
   * The three streams are this process's own standard input, output and
   * error (neslink run from a shell, not the agent's session): a program can
   * be given them directly, and a terminal stays a terminal.
   */
  ownStdio?: boolean;
  /**
   * Nothing is left for this process to do after the command (a one-shot
   * `neslink exec` from a shell, not a line of `neslink shell` nor the
   * agent's session): the process may become the program instead of
   * starting it as a child.
   */
  replaceable?: boolean;
  /**
   * stdout and stderr are one stream, the caller's one file (the agent's
   * client's descriptors 1 and 2 are the same): a program whose output is
   * piped gets one pipe for both, so that what it writes keeps its order.
   */
  sharedOutput?: boolean;
  /** This process runs without root: a refusal for want of privilege is followed by a hint to use sudo. */
  unprivileged?: boolean;
  /**
   * Calls `handler` with each of `signals` the CLI receives (instead of dying
   * of it), and with SIGPIPE when the reader of its output leaves, until the
   * returned function is called.
   */
  onSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void;
  /**
   * Ends the command as `signal` would have, had it no handler: this process
   * dies of it (the bin), or the agent's client is told so and the command
   * hung up on. For a handler that has tidied up and removed itself.
   */
  raise(signal: NodeJS.Signals): void;
  /**
   * The caller's working directory, when it is not this process's (a client
   * of the agent): relative paths it gives are resolved against it.
   */
  cwd?: string;
  /**
   * This process lives on past `signal` raised (a line of an interactive `neslink shell`, whose Ctrl-C ends the line,
   * not the session): the line ends with work that runs on to its end whatever the signal (a destroy under way), so
   * its words wait for that work, however many signals come.
   */
  outlives?(signal: NodeJS.Signals): boolean;
  /**
   * Aborted when whoever called has gone (the agent's client disconnected or
   * was interrupted, or the agent is stopping): a command doing many things
   * (the shell's lines) stops before its next one.
   */
  ended?: AbortSignal;
  /**
   * A person types this command's lines at a prompt (`neslink shell`'s), on a
   * terminal whose input the command does not read: a question is written out
   * and the next line typed is its answer (undefined at the end of input).
   */
  ask?(question: string): Promise<string | undefined>;
  /**
   * An error as the caller is to read it, where the process running the
   * command is not the one the caller sees (the agent's: a lab's lock it holds
   * itself is the agent's, not "this process"'s).
   */
  asCallerSees?(err: unknown): unknown;
}

/** Where a command runs: whether --json was given, and the terminal. */
export interface Session {
  json: boolean;
  terminal: Terminal;
  /** Prints at once (progress, a plan before its confirmation); what `run` returns comes after. */
  print(text: string): void;
  /**
   * Resolves once what was printed has room to go (at once, mostly): a
   * command that prints without end awaits it, so a reader that stops reading
   * stops it too, instead of its output piling up in memory.
   */
  drained?(): Promise<void>;
  /** Resolves once all that was printed, and said on stderr, has gone to its reader (the shell's lines wait on it). */
  sent?(): Promise<void>;
}

/** A finished command: `data` is what --json prints, `text` what a person reads. */
export interface Outcome {
  data: unknown;
  text: string;
  /** Printed on stderr in human mode (exec forwards the program's stderr). */
  stderr?: string;
  /** Non-zero when the call worked but its result is a failure (a program that exited non-zero, drift found). */
  exitCode?: number;
  /**
   * An interrupt heard as its work was ending, which finished whole all the same (an apply whose last change was under
   * way): told as one that came as the result was printed is (late-signal.ts), the result standing.
   */
  heard?: NodeJS.Signals;
}

export interface Command {
  /** The words that select it, e.g. "ns add". */
  name: string;
  summary: string;
  /** The synopsis after "neslink ", e.g. "link show [NAME] [-n NS]": a word in brackets can be left out. */
  synopsis: string;
  /** Names of required positional arguments, in order. */
  args: readonly string[];
  /** Further positional arguments, under this name: one or more if `required`, else any number. */
  rest?: { name: string; required: boolean };
  options: readonly OptionName[];
  /** Its trailing arguments are another program's (exec): one that starts with '-' reaches it after "--". */
  passesThrough?: boolean;
  /**
   * What completion offers for its first argument (every argument, for a command that takes only a list of them:
   * monitor's groups): the words it may be, found when the script is made, or a named namespace (in /run/netns).
   */
  completes?: "namespace" | (() => Promise<readonly string[]>);
  /**
   * Says what became of its work when SIGINT or SIGTERM interrupts it (onInterrupt: a lab's apply, destroy, plan).
   * Once that work is done, the runner holds those signals until its output has gone out: a late one neither cuts
   * what it says of a change that happened nor makes its status the signal's.
   */
  interruptible?: boolean;
  /** Runs its work on several pool workers (a topology's namespaces in parallel); one-shot commands need one. */
  parallel?: boolean;
  /** Extra paragraphs for `--help` (a function when making them loads what the command alone needs). */
  details?: string | (() => Promise<string>);
  run(invocation: Invocation, session: Session): Promise<Outcome>;
}

/** What a command does when it runs: its `run`, kept in a module of its own (commands/run/). */
export type Run = Command["run"];
