/** One call of the CLI: argv in, text out, an exit status back. Nothing here touches the process. */

import { closeDefaultPool } from "@neslink/core";
import { parse, wantsJson } from "./args.js";
import type { Command, Invocation, Terminal } from "./command.js";
import { commands } from "./commands/index.js";
import { helpText } from "./help.js";
import { errorText, exitCodeOf, toJson } from "./output.js";
import { version } from "./version.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  terminal: Terminal;
}

function fail(err: unknown, json: boolean, io: Io): number {
  const code = exitCodeOf(err);
  if (json) {
    io.out(errorText(err, true));
  } else {
    io.err(errorText(err, false));
    if (code === 2) io.err('Run "neslink --help" for usage.\n');
  }
  return code;
}

async function execute(command: Command, invocation: Invocation, json: boolean, io: Io): Promise<number> {
  try {
    const outcome = await command.run(invocation, { json, terminal: io.terminal });
    if (json) {
      io.out(toJson(outcome.data));
    } else {
      io.out(outcome.text);
      if (outcome.stderr) io.err(outcome.stderr);
    }
    return outcome.exitCode ?? 0;
  } catch (err) {
    return fail(err, json, io);
  } finally {
    await closeDefaultPool();
  }
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const json = wantsJson(argv);
  try {
    const parsed = parse(argv, commands);
    switch (parsed.kind) {
      case "version":
        io.out(json ? toJson({ version }) : `${version}\n`);
        return 0;
      case "help":
        io.out(helpText(parsed.topic, commands));
        return 0;
      case "run":
        return await execute(parsed.command, parsed.invocation, json, io);
    }
  } catch (err) {
    return fail(err, json, io);
  }
}
