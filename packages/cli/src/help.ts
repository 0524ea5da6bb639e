/** Usage text: for everything, for a group of commands ("ns"), or for one command. */
import { DEFAULT_SOCKET } from "./agent/choose.js";
import { IDLE_TIMEOUT_MS, MAX_CONNECTIONS } from "./agent/grace.js";
import type { Command, OptionName } from "./command.js";
import { columns, reflow, wrap } from "./help-layout.js";

const OPTION_HELP: Record<OptionName, [string, string]> = {
  ns: ["-n, --ns NS", "work in namespace NS: a name (/run/netns/NS), a path, a pid, or a lab's node as LAB:NODE"],
  "dry-run": ["--dry-run", "show the plan, change nothing"],
  yes: ["-y, --yes", "do not ask for confirmation on a terminal"],
  "detailed-exitcode": ["--detailed-exitcode", "exit 4 when the kernel differs from the file, 0 when it matches"],
  format: ["--format FORMAT", "mermaid (default), dot or json"],
  inet: ["-4", "IPv4 only"],
  inet6: ["-6", "IPv6 only"],
  file: ["-f, --file FILE", "read commands from FILE instead of standard input"],
  socket: ["--socket PATH", `the agent's unix socket (default ${DEFAULT_SOCKET})`],
  detach: ["--detach", "start the agent in the background and print its shell variables"],
  "idle-timeout": ["--idle-timeout SECONDS", `close a connection idle this long (default ${IDLE_TIMEOUT_MS / 1000})`],
  "max-connections": ["--max-connections N", `refuse a command past N connections at once (default ${MAX_CONNECTIONS})`],
};

/** Each option's flags as typed, for completion. */
export const OPTION_FLAGS = Object.fromEntries(
  Object.entries(OPTION_HELP).map(([name, [flags]]) => [name, flags.split(", ").map((f) => f.split(" ")[0] as string)]),
) as Record<OptionName, string[]>;

const GLOBAL_HELP: [string, string][] = [
  ["--json", "print results, and errors, as JSON on stdout"],
  ["--agent", `run it through a running agent: $NESLINK_AGENT, else ${DEFAULT_SOCKET} (see "neslink agent --help")`],
  ["-h, --help", "show this help"],
  ["-V, --version", "print the version"],
];

const EXIT_STATUS = [
  "Exit status: 0 ok, 1 runtime error (the kernel refused, not found, apply",
  "failed), 2 usage error, 3 invalid topology file, 4 drift found by",
  "plan --detailed-exitcode.\n",
].join("\n");

/** What iproute2 habits carry over (iproute-words.ts, and a group alone in args.ts). */
const IPROUTE_NOTE = [
  "ip's own spellings work too: netns, address, show, delete, dev NAME,",
  "link add NAME type KIND, peer name NAME; so do its abbreviations, each read as",
  "ip reads it (a: addr, l s: link set, ro sh: route list), and a group alone",
  "lists, as in ip (neslink link is neslink link list).\n",
].join("\n");

function commandList(commands: readonly Command[]): string {
  return columns(commands.map((c) => [c.synopsis, c.summary]));
}

/**
 * The options a group's commands take (each command's own list: no second one to keep), in OPTION_HELP's order;
 * one that not all of them take names those that do.
 */
function groupOptions(group: readonly Command[]): [string, string][] {
  return (Object.keys(OPTION_HELP) as OptionName[]).flatMap((option) => {
    const takers = group.filter((c) => c.options.includes(option));
    if (takers.length === 0) return [];
    const [flags, text] = OPTION_HELP[option];
    return [[flags, takers.length === group.length ? text : `${text} (${takers.map((c) => c.name).join(", ")})`]];
  });
}

/** A command's usage line: --json among neslink's own options, before a `--` (what follows it is the program's, --json included). */
function usageLine(synopsis: string): string {
  const end = synopsis.indexOf(" -- ");
  return end < 0 ? `${synopsis} [--json]` : `${synopsis.slice(0, end)} [--json]${synopsis.slice(end)}`;
}

export async function helpText(topic: string, commands: readonly Command[]): Promise<string> {
  const command = commands.find((c) => c.name === topic);
  if (command) {
    const options = [...command.options.map((o) => OPTION_HELP[o]), ...GLOBAL_HELP];
    const details = typeof command.details === "function" ? await command.details() : command.details;
    return [
      // Continued lines of a long usage start under "neslink".
      wrap(`Usage: neslink ${usageLine(command.synopsis)}`, "", "       ", true),
      `${reflow(command.summary)}\n`,
      ...(details ? [`${reflow(details.trimEnd())}\n`] : []),
      `Options:\n${columns(options)}`,
      EXIT_STATUS,
    ].join("\n");
  }
  const group = topic === "" ? commands : commands.filter((c) => c.name.startsWith(`${topic} `));
  // A group alone runs its list command (args.ts), as `ip link` lists links.
  const lists = group.some((c) => c.name === `${topic} list`);
  return [
    `Usage: neslink ${topic === "" ? "<command>" : `${topic} ${lists ? "[<subcommand>]" : "<subcommand>"}`} [options]\n`,
    ...(topic === "" ? ["Linux network namespaces, links and labs, from a shell.\n"] : []),
    ...(lists ? [`Without a subcommand: ${topic} list.\n`] : []),
    `Commands:\n${commandList(group)}`,
    `Options:\n${columns([...(topic === "" ? [] : groupOptions(group)), ...GLOBAL_HELP])}`,
    `Run "neslink <command> --help" for a command's own options.\n${IPROUTE_NOTE}${EXIT_STATUS}`,
  ].join("\n");
}
