import { ValidationError } from "@neslink/core/errors";
import type { Command, OptionName, Run } from "../../command.js";
import { OPTION_FLAGS } from "../../help.js";
import { IP_GROUPS, ipSpellings } from "../../iproute-words.js";
import { VALUE_FLAGS } from "../../program-argv.js";

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
const LABS = "_neslink_add < <(_neslink_labs)";
/** The named namespaces: what `ns del` takes. */
const NAMED = "_neslink_add < <(ls /run/netns 2>/dev/null)";
/** Where a namespace is taken: the named ones, and each running lab's nodes as LAB:NODE (see _neslink_nodes). */
const NAMESPACES = `${NAMED}; _neslink_add < <(_neslink_nodes)`;

const flagsOf = (options: readonly OptionName[]) => [...options.flatMap((o) => OPTION_FLAGS[o]), "--json", "--help"].join(" ");

/** Case branches turning `$typed|$w` (the command words so far, the next) into neslink's word, as fromIproute does. */
function spellingCases(): string {
  const byWord = new Map<string, string[]>();
  const add = (group: string, [typed, word]: [string, string]) => {
    const patterns = byWord.get(`${group}|${word}`) ?? [];
    byWord.set(`${group}|${word}`, [...patterns, `"${group}|${typed}"`]);
  };
  for (const spelling of ipSpellings()) add("", spelling);
  for (const group of IP_GROUPS) for (const spelling of ipSpellings(group)) add(group, spelling);
  return [...byWord].map(([key, patterns]) => `    ${patterns.join("|")}) w=${key.split("|")[1]};;`).join("\n");
}

/**
 * Shell code offering what a command's argument may be (its `completes`) where the word is not an option. Words come
 * from the commands' own tables, never from the system, so compgen -W may take them.
 */
async function argumentOffer(c: Command): Promise<string | undefined> {
  if (c.completes === undefined) return undefined;
  const offer =
    c.completes === "namespace" ? `COMPREPLY=(); ${NAMED}` : `COMPREPLY=($(compgen -W "${(await c.completes()).join(" ")}" -- "$cur"))`;
  return `if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${flagsOf(c.options)}" -- "$cur")); else ${offer}; fi`;
}

/** A bash completion function: command words by position, each command's options, namespaces after -n, files for FILE arguments, labs for NAME. */
export async function bashScript(commands: readonly Command[]): Promise<string> {
  const cases: string[] = [];
  for (const [prefix, words] of groups(commands)) {
    if (commands.some((c) => c.name === prefix)) continue;
    const subcommands = `COMPREPLY=($(compgen -W "${[...words].join(" ")}" -- "$cur"))`;
    // A group alone runs its list command (`neslink link --json`): that command's options are offered for a '-'.
    const list = commands.find((c) => c.name === `${prefix} list`);
    cases.push(
      list
        ? `    "${prefix}") if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${flagsOf(list.options)}" -- "$cur")); else ${subcommands}; fi;;`
        : `    "${prefix}") ${subcommands};;`,
    );
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
    // Its first argument's words (bash takes the first matching case), or every argument's for a command taking a list.
    const offer = await argumentOffer(c);
    if (offer !== undefined) cases.push(`    "${c.name}"${c.args.length === 0 ? `|"${c.name} "*` : ""}) ${offer};;`);
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
# The labs applied here and not destroyed (each keeps its lock file until destroy), by their names' own rule.
_neslink_labs() {
  local f
  while IFS= read -r f; do [[ $f =~ ^[a-z0-9-]+\\.lock$ ]] && printf '%s\\n' "\${f%.lock}"; done < <(ls /run/neslink/topologies 2>/dev/null)
}
# LAB:NODE for each node under its default namespace name (LAB-NODE), as \`neslink exec LAB:NODE\` takes it; not the
# entries of another lab whose name begins the same way (LAB-b-NODE is lab LAB-b's while that lab is here).
_neslink_nodes() {
  local -a labs=()
  local lab other e mine
  while IFS= read -r lab; do labs+=("$lab"); done < <(_neslink_labs)
  for lab in "\${labs[@]}"; do
    while IFS= read -r e; do
      [[ $e == "$lab-"?* ]] || continue
      mine=1
      for other in "\${labs[@]}"; do [[ $other == "$lab-"* && $e == "$other-"* ]] && mine=""; done
      [[ -n $mine ]] && printf '%s\\n' "$lab:\${e#"$lab-"}"
    done < <(ls /run/netns 2>/dev/null)
  done
}
_neslink() {
  # The words as typed, split at blanks only: bash also splits them at ':' (COMP_WORDBREAKS), which cuts LAB:NODE in three;
  # zsh (bashcompinit) gives its own words, whole.
  # Not "path": zsh (through bashcompinit) ties that name to PATH, and emptying it hides every program.
  local -a words
  local cur prev typed="" ns="" w i
  if [[ -n \${COMP_LINE+set} && -z \${ZSH_VERSION-} ]]; then
    read -ra words <<< "\${COMP_LINE:0:$COMP_POINT}"
    [[ \${#words[@]} -eq 0 || \${COMP_LINE:0:$COMP_POINT} == *[[:space:]] ]] && words+=("")
  else
    words=("\${COMP_WORDS[@]:0:$((COMP_CWORD + 1))}")
  fi
  cur=\${words[-1]} prev=\${words[-2]}
  _neslink_offer
  # bash puts a candidate in place of what follows the last ':' of the word only: the part before it is taken off.
  if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
    COMPREPLY=("\${COMPREPLY[@]#"\${cur%"\${cur##*:}"}"}")
  fi
}
# ip's spellings and abbreviations of the command words as neslink names them (a: addr, l s: link set), as parse reads them.
_neslink_word() {
  case "$typed|$w" in
${spellingCases()}
  esac
}
_neslink_offer() {
  case $prev in
    -n|--ns) COMPREPLY=(); ${NAMESPACES}; return;;
    --format) COMPREPLY=($(compgen -W "mermaid dot json" -- "$cur")); return;;
    -f|--file|--socket) COMPREPLY=($(compgen -f -- "$cur")); return;;
    --idle-timeout|--max-connections) COMPREPLY=(); return;;
  esac
  # The command words typed so far: not options, nor the value of one (neslink -n lab1 link ...).
  for ((i = 1; i < \${#words[@]} - 1; i++)); do
    w=\${words[i]}
    case $w in
      -n|--ns|-n?*|--ns=*) ns=1; [[ $w == -n || $w == --ns ]] && ((i++));;
      ${[...VALUE_FLAGS].join("|")}) ((i++));;
      -*) ;;
      *) _neslink_word; typed+="\${typed:+ }$w";;
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

/** The script for SHELL (bash or zsh), from the commands' table. */
export function completion(commands: () => readonly Command[]): Run {
  return async ({ args: [shell] }) => {
    if (shell !== "bash" && shell !== "zsh") throw new ValidationError("SHELL", `must be bash or zsh, not "${shell}"`);
    const bash = await bashScript(commands());
    // zsh runs bash completion functions through its own bashcompinit layer, which needs compinit's compdef.
    const text = shell === "bash" ? bash : `${ZSH_PREAMBLE}${bash}`;
    return { data: { shell, script: text }, text };
  };
}
