import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const shell: Command = {
  name: "shell",
  summary: "run many commands in one process (from a file, a pipe, or typed at a prompt)",
  synopsis: "shell [-f FILE]",
  args: [],
  options: ["file"],
  parallel: true,
  details: [
    "One neslink command a line, without the word neslink (`ns add lab1`), quoted as in a shell;",
    "# starts a comment. Start-up and the worker pool are paid once for all of them: 1000 lines take",
    "about as long as their kernel work. A script stops at its first failing line, with its status;",
    "at a terminal's prompt, errors are shown and you go on, and apply and destroy ask first, as typed in",
    "a shell (the next line is the answer; --yes skips it); Ctrl-C there drops the line being typed,",
    "Ctrl-D ends the session. A program run by exec gets no input.",
    "--json: every line's result as JSON.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/shell.js"),
    (m) => m.shell,
  ),
};
