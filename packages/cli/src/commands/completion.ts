import { ValidationError } from "@neslink/core/errors";
import type { Command, OptionName } from "../command.js";
import { OPTION_FLAGS } from "../help.js";
import { VALUE_FLAGS } from "../program-argv.js";

/** Each command-word prefix a user may have typed, and the words that can follow it. */
function groups(commands: readonly Command[]): Map<string, Set<string>> {
  const next = new Map<string, Set<string>>();
  for (const { name } of commands) {
    const words = name.split(" ");
    for (let i = 0; i < words.length; i++) {
      const prefix = words.slice(0, i).join(" ");
      if (!next.has(prefix)) next.set(prefix, new Set());
      next.get(prefix)?.add(words[i] as string);
    }
  }
  return next;
}

/**
 * Shell code adding the namespaces, and the labs applied here and not destroyed (each has its lock file until destroy
 * removes it: core's topology/lock.ts), that start with $cur. Not through compgen -W, which expands each of its words:
 * an entry named `x$(cmd)`, which any root process can make, would run cmd at the reader's Tab.
 */
const NAMESPACES = "_neslink_add < <(ls /run/netns 2>/dev/null)";
const LABS = "_neslink_add < <(ls /run/neslink/topologies 2>/dev/null | sed -n 's/\\.lock$//p')";

const flagsOf = (options: readonly OptionName[]) => [...options.flatMap((o) => OPTION_FLAGS[o]), "--json", "--help"].join(" ");

/** A bash completion function: command words by position, each command's options, namespaces after -n, files for FILE arguments, labs for NAME. */
export function bashScript(commands: readonly Command[]): string {
  const cases: string[] = [];
  for (const [prefix, words] of groups(commands)) {
    if (!commands.some((c) => c.name === prefix))
      cases.push(`    "${prefix}") COMPREPLY=($(compgen -W "${[...words].join(" ")}" -- "$cur"));;`);
  }
  for (const c of commands) {
    // A command whose first argument is NS (exec) is offered the namespaces there, as after -n (bash takes the first matching
    // case); then, NS given (there or with -n), the program: a command name, and files after it.
    if (c.synopsis.split(" ")[c.name.split(" ").length] === "NS") {
      cases.push(
        `    "${c.name}") if [[ -n $ns ]]; then COMPREPLY=($(compgen -c -- "$cur")); else COMPREPLY=($(compgen -W "${flagsOf(c.options)}" -- "$cur")); ${NAMESPACES}; fi;;`,
      );
      cases.push(
        `    "${c.name} "*) if [[ -z $ns && $typed != "${c.name} "*" "* ]]; then COMPREPLY=($(compgen -c -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;`,
      );
    }
    const files = c.args.some((a) => a.startsWith("FILE")) || c.synopsis.includes("FILE|NAME") ? " -f" : "";
    // destroy, inspect and graph take a running lab's name as well as a file.
    const labs = c.synopsis.includes("FILE|NAME") ? `; ${LABS}` : "";
    cases.push(`    "${c.name}"|"${c.name} "*) COMPREPLY=($(compgen -W "${flagsOf(c.options)}"${files} -- "$cur"))${labs};;`);
  }
  return `# neslink completion for bash: eval "$(neslink completion bash)"
# Adds each line read that starts with $cur, as it is.
_neslink_add() {
  local e
  while IFS= read -r e; do [[ $e == "$cur"* ]] && COMPREPLY+=("$e"); done
}
_neslink() {
  # Not "path": zsh (through bashcompinit) ties that name to PATH, and emptying it hides every program.
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} typed="" ns="" w i
  case $prev in
    -n|--ns) COMPREPLY=(); ${NAMESPACES}; return;;
    --format) COMPREPLY=($(compgen -W "mermaid dot json" -- "$cur")); return;;
    -f|--file) COMPREPLY=($(compgen -f -- "$cur")); return;;
  esac
  # The command words typed so far: not options, nor the value of one (neslink -n lab1 link ...).
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case $w in
      -n|--ns|-n?*|--ns=*) ns=1; [[ $w == -n || $w == --ns ]] && ((i++));;
      ${[...VALUE_FLAGS].join("|")}) ((i++));;
      -*) ;;
      *) typed+="\${typed:+ }$w";;
    esac
  done
  case $typed in
${cases.join("\n")}
  esac
}
complete -F _neslink neslink
`;
}

/** compinit first if the user's zshrc has not run it (bashcompinit's `complete` is compinit's `compdef`). */
const ZSH_PREAMBLE = `(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
`;

export function completion(commands: () => readonly Command[]): Command {
  return {
    name: "completion",
    summary: "print a shell completion script for bash or zsh",
    synopsis: "completion bash|zsh",
    args: ["SHELL"],
    options: [],
    details: [
      'bash: eval "$(neslink completion bash)" (or save it in /etc/bash_completion.d/neslink).',
      'zsh: eval "$(neslink completion zsh)" in ~/.zshrc.',
    ].join("\n"),
    async run({ args: [shell] }) {
      if (shell !== "bash" && shell !== "zsh") throw new ValidationError("SHELL", `must be bash or zsh, not "${shell}"`);
      const bash = bashScript(commands());
      // zsh runs bash completion functions through its own bashcompinit layer, which needs compinit's compdef.
      const text = shell === "bash" ? bash : `${ZSH_PREAMBLE}${bash}`;
      return { data: { shell, script: text }, text };
    },
  };
}
