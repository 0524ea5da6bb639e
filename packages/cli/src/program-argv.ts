/**
 * Where neslink's own arguments end. `neslink exec NS CMD ARG...` reads as
 * `ip netns exec NS CMD ARG...` and `docker exec` do: from CMD on, every word
 * is the program's, options included (`neslink exec h1 ip -br link`), as if
 * "--" stood before CMD. Decided from argv alone, so the agent's client can
 * ask before it loads anything.
 */
import { commandWords } from "./iproute-words.js";

/** The options that take a value (args.ts's string options; a unit test keeps the two equal), so that a value is not taken for NS or CMD. */
export const VALUE_FLAGS: ReadonlySet<string> = new Set([
  "-n",
  "--ns",
  "--format",
  "-f",
  "--file",
  "--socket",
  "--idle-timeout",
  "--max-connections",
]);

const givesNs = (arg: string) => arg === "-n" || arg === "--ns" || /^(-n.|--ns=)/.test(arg);

/** How many command words select an exec (`exec`, `ns exec`, and ip's `netns exec`, `net e`...), or 0. */
function execWords(typed: readonly string[]): number {
  const words = commandWords(typed);
  return words[0] === "exec" ? 1 : words[0] === "ns" && words[1] === "exec" ? 2 : 0;
}

/** argv with "--" put before an exec's program when the caller left it out; anything else unchanged. */
export function markProgram(argv: readonly string[]): readonly string[] {
  const words: string[] = [];
  let nsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") return argv;
    if (arg.startsWith("-") && arg !== "-") {
      nsGiven ||= givesNs(arg);
      if (VALUE_FLAGS.has(arg)) i++;
      continue;
    }
    words.push(arg);
    const command = execWords(words);
    // The program is the first word after the command's and NS (unless -n gave NS).
    if (command > 0 && words.length > command + (nsGiven ? 0 : 1)) return [...argv.slice(0, i), "--", ...argv.slice(i)];
  }
  return argv;
}

/** neslink's own arguments: those before "--" or before an exec's program. */
export function ownArgs(argv: readonly string[]): readonly string[] {
  const marked = markProgram(argv);
  const end = marked.indexOf("--");
  return end < 0 ? marked : marked.slice(0, end);
}

/** Whether errors must be printed as JSON: known even when the rest of argv does not parse (and before anything is loaded). */
export function wantsJson(argv: readonly string[]): boolean {
  return ownArgs(argv).includes("--json");
}
