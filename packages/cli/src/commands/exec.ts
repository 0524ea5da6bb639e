import { type ExecResult, na, nsDo, ValidationError } from "@neslink/core";
import type { Command } from "../command.js";
import { target } from "../target.js";

function failure(argv0: string, result: ExecResult): string | undefined {
  if (result.signal !== null) return `neslink: ${argv0} was killed by ${result.signal}\n`;
  if (result.status !== 0) return `neslink: ${argv0} exited with status ${result.status}\n`;
  return undefined;
}

export const exec: Command = {
  name: "exec",
  summary: "run a program inside a namespace (no shell)",
  synopsis: "exec --ns NAME -- CMD [ARG...]",
  args: [],
  rest: "CMD",
  options: ["ns"],
  details: [
    'Put "--" before CMD so that its own options are not read as neslink\'s.',
    "Output is collected and printed when the program ends (--json: as one object",
    "with pid, status, signal, stdout and stderr). neslink exits with 1 if the",
    "program exits non-zero or is killed.",
  ].join("\n"),
  async run({ args, ns }) {
    if (ns === undefined) throw new ValidationError("--ns", "is required");
    const {
      results: [result],
    } = await nsDo(target(ns), na.exec(args));
    const failed = failure(args[0] as string, result);
    return { data: result, text: result.stdout, stderr: result.stderr + (failed ?? ""), exitCode: failed ? 1 : 0 };
  },
};
