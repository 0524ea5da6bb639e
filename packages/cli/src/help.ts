/** Usage text: for everything, for a group of commands ("ns"), or for one command. */
import type { Command, OptionName } from "./command.js";
import { table } from "./output.js";

const OPTION_HELP: Record<OptionName, [string, string]> = {
  ns: ["-n, --ns NAME", "work in the named namespace (/run/netns/NAME) instead of the current one"],
};

const GLOBAL_HELP: [string, string][] = [
  ["--json", "print results, and errors, as JSON on stdout"],
  ["-h, --help", "show this help"],
  ["-V, --version", "print the version"],
];

const EXIT_STATUS = "Exit status: 0 ok, 1 runtime error, 2 usage error.\n";

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

function commandList(commands: readonly Command[]): string {
  return indent(table(commands.map((c) => [c.synopsis, c.summary])));
}

export function helpText(topic: string, commands: readonly Command[]): string {
  const command = commands.find((c) => c.name === topic);
  if (command) {
    const options = [...command.options.map((o) => OPTION_HELP[o]), ...GLOBAL_HELP];
    return [
      `Usage: neslink ${command.synopsis} [--json]\n`,
      `${command.summary}\n`,
      ...(command.details ? [`${command.details.trimEnd()}\n`] : []),
      `Options:\n${indent(table(options))}`,
      EXIT_STATUS,
    ].join("\n");
  }
  const group = topic === "" ? commands : commands.filter((c) => c.name.startsWith(`${topic} `));
  return [
    `Usage: neslink ${topic === "" ? "<command>" : `${topic} <subcommand>`} [options]\n`,
    ...(topic === "" ? ["Linux network namespaces and links, from a shell.\n"] : []),
    `Commands:\n${commandList(group)}`,
    `Options:\n${indent(table(GLOBAL_HELP))}`,
    `Run "neslink <command> --help" for a command's own options.\n${EXIT_STATUS}`,
  ].join("\n");
}
