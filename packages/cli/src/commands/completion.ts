import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export function completion(commands: () => readonly Command[]): Command {
  return {
    name: "completion",
    summary: "print a shell completion script for bash or zsh",
    synopsis: "completion bash|zsh",
    args: ["SHELL"],
    options: [],
    completes: async () => ["bash", "zsh"],
    details: [
      'bash: eval "$(neslink completion bash)" (or save it in /etc/bash_completion.d/neslink).',
      'zsh: eval "$(neslink completion zsh)" in ~/.zshrc.',
    ].join("\n"),
    run: lazyRun(
      () => import("./run/completion.js"),
      (m) => m.completion(commands),
    ),
  };
}
