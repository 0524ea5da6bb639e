/**
 * argv to a command call. Command words come first ("link show NAME"); options
 * may go anywhere before "--" (main has put one before an exec's program). Everything wrong here is a ValidationError, so
 * it prints and exits like any other usage error.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { shown, ValidationError } from "@neslink/core/errors";
import { closest } from "./closest.js";
import type { Command, Invocation, OptionName } from "./command.js";
import { fromIproute } from "./iproute-args.js";
import { commandWords, ipOnly } from "./iproute-words.js";

// One table for every command's options, so a value-taking option is never mistaken for a positional.
export const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  ns: { type: "string", short: "n" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  "detailed-exitcode": { type: "boolean" },
  format: { type: "string" },
  inet: { type: "boolean", short: "4" },
  inet6: { type: "boolean", short: "6" },
  file: { type: "string", short: "f" },
  socket: { type: "string" },
  detach: { type: "boolean" },
  "idle-timeout": { type: "string" },
  "max-connections": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

const GLOBAL = new Set(["json", "help", "version"]);

/** What to do: print help (for a command, a group such as "ns", or everything), the version, or run a command. */
export type Parsed = { kind: "help"; topic: string } | { kind: "version" } | { kind: "run"; command: Command; invocation: Invocation };

export { wantsJson } from "./program-argv.js";

function longestMatch(words: readonly string[], commands: readonly Command[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const name = command.name.split(" ");
    const matches = name.every((word, i) => words[i] === word);
    if (matches && name.length > (best?.name.split(" ").length ?? 0)) best = command;
  }
  return best;
}

function checkArgs(command: Command, args: readonly string[]): void {
  const restMissing = command.rest?.required && args.length === command.args.length;
  const missing = command.args[args.length] ?? (restMissing ? command.rest?.name : undefined);
  if (missing) throw new ValidationError(missing, "is required");
  const extra = command.rest ? undefined : args[command.args.length];
  if (extra !== undefined) throw new ValidationError("argv", `unexpected argument "${extra}" for "neslink ${command.name}"`);
}

/**
 * An exec's NS is its first argument unless -n gave it, and "--" stands before its program (main puts it there when
 * left out): with nothing before "--", a lone word after it is the program, so NS is what is missing (`exec -- true`),
 * as it is with no word at all. Two words after "--" are still read as NS and the program.
 */
function checkExecNs(command: Command, args: readonly string[], ownArgs: number, ns: string | undefined): void {
  if (command.passesThrough && ns === undefined && ownArgs === 0 && args.length < 2) {
    throw new ValidationError("NS", `is required (neslink ${command.name} NS -- CMD, or -n NS)`);
  }
}

/**
 * A negative number is a keyword's value (`mtu -5`, `metric -1`), never one of neslink's options (-4 and -6 are whole
 * words): Node's parser would take it for the short options -5..., and the error named "-5" as an unknown option
 * instead of saying what is wrong with the mtu. Such words before "--" are passed as positionals, marked with a NUL,
 * and unmarked after parsing by their place in argv, so the keyword's own check names them. A word of argv cannot hold
 * a NUL, but one of a `neslink shell` line can: only the words marked here lose their first character.
 */
const NEGATIVE_NUMBER = /^-\d/;
const SHORT_DIGITS = /^-[46]+$/;
const MARK = "\0";

function tokenize(argv: readonly string[], commands: readonly Command[]) {
  const end = argv.indexOf("--");
  const marked = new Set<number>();
  const args = argv.map((a, i) => {
    if ((end !== -1 && i >= end) || !NEGATIVE_NUMBER.test(a) || SHORT_DIGITS.test(a)) return a;
    marked.add(i);
    return `${MARK}${a}`;
  });
  const unmark = (word: string, index: number) => (marked.has(index) ? word.slice(MARK.length) : word);
  try {
    const parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    // An option's value taken from the next word (`-n -7`) is that word; one given inline (`--ns=-7`) was not marked.
    const values = { ...parsed.values };
    for (const t of parsed.tokens)
      if (t.kind === "option" && t.value !== undefined && !t.inlineValue)
        (values as Record<string, unknown>)[t.name] = unmark(t.value, t.index + 1);
    const positionals = parsed.tokens.flatMap((t) => (t.kind === "positional" ? [unmark(t.value, t.index)] : []));
    return { ...parsed, values, positionals };
  } catch (err) {
    throw (
      unknownOption(argv, err, commandOf(argv, commands)) ??
      badOptionValue(argv, err) ??
      new ValidationError("argv", (err as Error).message)
    );
  }
}

/**
 * An unknown option said in the CLI's words, with the argument it was read from: `-dash.yaml` (a file) is read as the
 * short options -d, -a, ... Node's own message for it is garbled (an unclosed quote) and does not name the argument.
 * "--" is the way out only for a word that is not meant as an option (that file), or for a command whose trailing
 * arguments are another program's; a mistyped option of any other command is pointed to the option it is nearest to.
 */
function unknownOption(argv: readonly string[], err: unknown, command: Command | undefined): ValidationError | undefined {
  if ((err as { code?: string }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const option = /'([^']+)'/.exec((err as Error).message)?.[1];
  if (option === undefined) return undefined;
  const end = argv.indexOf("--");
  const arg =
    (end === -1 ? argv : argv.slice(0, end)).find(
      (a) => a === option || a.split("=")[0] === option || (!a.startsWith("--") && a.startsWith(option)),
    ) ?? option;
  const readFrom = arg.split("=")[0] !== option;
  if (readFrom || command?.passesThrough) {
    const from = readFrom ? ` (read from ${shown(arg)})` : "";
    return new ValidationError(option, `is not an option${from}; an argument that starts with '-' goes after "--", as in: -- ${arg}`);
  }
  return notAnOption(option, command);
}

/**
 * An option without its value (`-n` last) or a flag given one (`--json=1`), named as typed. Node's own message
 * ("argv: Option '-n, --ns <value>' argument missing") names neither the field nor what to give.
 */
function badOptionValue(argv: readonly string[], err: unknown): ValidationError | undefined {
  if ((err as { code?: string }).code !== "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return undefined;
  const match = /^Option '(?:(-\w), )?(--[\w-]+)/.exec((err as Error).message);
  if (!match) return undefined;
  const [, short, long] = match as unknown as [string, string | undefined, string];
  const typed = (argv.find((a) => a === short || a.split("=")[0] === long) ?? long).split("=")[0] as string;
  return (err as Error).message.includes("argument missing")
    ? new ValidationError(typed, "needs a value")
    : new ValidationError(typed, "takes no value");
}

/**
 * An option that takes a value, given twice (`-n h1 -n h2`, `--format dot --format json`): Node's parser keeps the
 * last, so the command would run on one of the two without a word. None of neslink's options is a list, so this is a
 * usage error, as a keyword given twice is. A flag given twice (`--yes --yes`) says the same thing twice and is let be.
 */
function refuseRepeated(tokens: readonly { kind: string; name?: string; rawName?: string; value?: string }[]): void {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    const name = token.name as string;
    const first = seen.get(name);
    const typed = token.rawName as string;
    if (first !== undefined) {
      const as = first === typed ? "" : ` (as ${first} and ${typed})`;
      throw new ValidationError(typed, `is given twice${as}; it takes one value`);
    }
    seen.set(name, typed);
  }
}

/** `option` (as typed) is none of `command`'s (or, with no command, none at all), with the nearest one it has, if any. */
function notAnOption(option: string, command: Command | undefined): ValidationError {
  const of = command ? ` of "neslink ${command.name}"` : "";
  const known = command ? [...GLOBAL, ...command.options] : Object.keys(OPTIONS);
  // A short option is one letter: every other is as near, so none is suggested.
  const near = option.startsWith("--") ? closest(option.slice(2), known) : undefined;
  return new ValidationError(option, `is not an option${of}${near === undefined ? "" : `; did you mean --${near}?`}`);
}

/** The words up to the first that no command has there: "ns ax" of `ns ax foo`, not the arguments after it. */
function unknownWords(words: readonly string[], commands: readonly Command[]): string {
  const isGroup = (n: number) => commands.some((c) => c.name.startsWith(`${words.slice(0, n).join(" ")} `));
  let n = 1;
  while (n < words.length && isGroup(n)) n++;
  return words.slice(0, n).join(" ");
}

/** The command words nearest to the unknown ones typed (unknownWords': `aply`: apply, `link sett`: link set), if it is a slip. */
function nearestCommand(unknown: string, commands: readonly Command[]): string | undefined {
  const typed = unknown.split(" ");
  const at = typed.length - 1;
  const before = typed.slice(0, at).join(" ");
  const next = commands.map((c) => c.name.split(" ")).filter((w) => w.length > at && w.slice(0, at).join(" ") === before);
  const near = closest(typed[at] as string, new Set(next.map((w) => w[at] as string)));
  return near === undefined ? undefined : [...typed.slice(0, at), near].join(" ");
}

/** A group's word alone (`link`, `-n NS link`) runs the group's list command, as `ip link` lists links. */
function bareGroup(words: readonly string[], commands: readonly Command[]): Command | undefined {
  return words.length === 1 ? commands.find((c) => c.name === `${words[0]} list`) : undefined;
}

/** The command that words (read from ip's spellings) run. */
const commandFor = (words: readonly string[], commands: readonly Command[]) => longestMatch(words, commands) ?? bareGroup(words, commands);

/**
 * The command words of argv, read leniently: before its options are known to be right, and, where ip's words are
 * wrong (`link add dev type bridge`), as neslink's own, so that the error still points to its command's help.
 */
function wordsOf(argv: readonly string[]): string[] {
  const { positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
  try {
    return fromIproute(commandWords(positionals));
  } catch {
    return commandWords(positionals);
  }
}

const commandOf = (argv: readonly string[], commands: readonly Command[]) => commandFor(wordsOf(argv), commands);

/** The command, or group ("link"), that argv names as far as it can be read: whose help a usage error points to ("" for none). */
export function topicOf(argv: readonly string[], commands: readonly Command[]): string {
  const positionals = wordsOf(argv);
  const command = commandFor(positionals, commands);
  if (command) return command.name;
  const group = positionals[0] ?? "";
  return commands.some((c) => c.name.startsWith(`${group} `)) ? group : "";
}

export function parse(argv: readonly string[], commands: readonly Command[]): Parsed {
  const { values, positionals: typed, tokens } = tokenize(argv, commands);
  const positionals = fromIproute(commandWords(typed));
  const named = longestMatch(positionals, commands);
  const command = named ?? bareGroup(positionals, commands);
  const topic = positionals.join(" ");
  const known = command !== undefined || topic === "" || commands.some((c) => c.name.startsWith(`${topic} `));
  // After a command line (`links -V`), as --help: the version; after words that name no command, they are a mistake.
  if (values.version) {
    if (!known) throw new ValidationError("argv", `unexpected argument "${positionals[0]}" for "neslink --version"`);
    return { kind: "version" };
  }
  if (!known) {
    const why = ipOnly(typed);
    const unknown = unknownWords(positionals, commands);
    const near = why ? undefined : nearestCommand(unknown, commands);
    const hint = why ? ` (${why})` : near ? `; did you mean "${near}"?` : "";
    throw new ValidationError("command", `unknown command "${unknown}"${hint}`);
  }
  // `link show --help` is that command's help, though `link show` alone lists links as `ip link show` does; and
  // `link --help` the group's, though `link` alone lists them as `ip link` does.
  if (values.help) return { kind: "help", topic: named ? (longestMatch(commandWords(typed), commands) ?? named).name : topic };
  if (!command) throw new ValidationError("command", topic === "" ? "is required" : `"${topic}" needs a subcommand`);

  for (const token of tokens) {
    if (token.kind === "option" && !GLOBAL.has(token.name) && !command.options.includes(token.name as OptionName)) {
      // Named as typed (-n or --ns), as every other option error names it.
      throw notAnOption(token.rawName, command);
    }
  }
  refuseRepeated(tokens);
  const words = command.name.split(" ").length;
  const args = positionals.slice(words);
  const end = tokens.findIndex((t) => t.kind === "option-terminator");
  const ownArgs = tokens.filter((t, i) => t.kind === "positional" && (end < 0 || i < end)).length - words;
  checkExecNs(command, args, ownArgs, values.ns);
  checkArgs(command, args);
  const { ns, json: _json, help: _help, version: _version, ...options } = values;
  return { kind: "run", command, invocation: { args, ns, options } };
}
