/**
 * Completion as a person gets it: bash's function called as bash's completion
 * calls it (COMP_WORDS, COMP_CWORD), and zsh's in a real interactive zsh
 * (a pty, compinit, Tab pressed), both loaded from `neslink completion`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const prefix = uniquePrefix("c");
const dir = mkdtempSync(`${tmpdir()}/neslink-completion-`);
const ZSH_DRIVER = fileURLToPath(new URL("./zsh-complete.zsh", import.meta.url));

beforeAll(() => {
  execFileSync("ip", ["netns", "add", `${prefix}a`]);
  // Node h1 of lab `${prefix}lab`, under its default name.
  execFileSync("ip", ["netns", "add", `${prefix}lab-h1`]);
  // A lab applied here and not destroyed has its lock file (cleanup removes it).
  mkdirSync("/run/neslink/topologies", { recursive: true, mode: 0o700 });
  writeFileSync(`/run/neslink/topologies/${prefix}lab.lock`, "");
  writeFileSync(`${dir}/lab.yaml`, "name: x\n");
});
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What bash's completion offers after `line`, called as bash calls it: COMP_LINE and COMP_POINT, and COMP_WORDS split at
 * blanks and at ':' (in bash's COMP_WORDBREAKS, a word of its own). Each candidate as the line then reads: bash puts it
 * in place of what follows the word's last ':'. Sorted and once each, as bash shows them (a program in /bin and
 * /usr/bin is one).
 */
function bash(line: string, cwd?: string): string[] {
  const words = line
    .split(" ")
    .flatMap((w) => w.split(/(:)/))
    .filter((w, i, all) => w !== "" || i === all.length - 1);
  const script = `${execFileSync(process.execPath, [BIN, "completion", "bash"], { encoding: "utf8" })}
COMP_LINE=${shellQuote(line)}; COMP_POINT=\${#COMP_LINE}; COMP_WORDS=(${words.map(shellQuote).join(" ")}); COMP_CWORD=${words.length - 1}
_neslink; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const last = line.split(" ").at(-1) as string;
  const before = last.includes(":") ? last.slice(0, last.lastIndexOf(":") + 1) : "";
  const offered = execFileSync("bash", ["-c", script], { encoding: "utf8", ...(cwd && { cwd }) })
    .trim()
    .split("\n")
    .filter(Boolean);
  return [...new Set(offered.map((w) => before + w))].sort();
}

const shellQuote = (w: string) => `'${w.replaceAll("'", "'\\''")}'`;

function zsh(line: string): string[] {
  const screen = execFileSync("zsh", ["-f", ZSH_DRIVER, process.execPath, BIN, line], { encoding: "utf8", timeout: 20_000 });
  return [...new Set([...screen.matchAll(/<<(.*?)>>/g)].map((m) => m[1] as string))].sort();
}

const CASES: [string, string[]][] = [
  ["neslink li", ["link", "links"]],
  ["neslink link ", ["add", "del", "list", "set", "show"]],
  ["neslink link a", ["add"]],
  ["neslink apply --d", ["--dry-run"]],
  ["neslink graph x --format d", ["dot"]],
  [`neslink link list -n ${prefix}`, [`${prefix}a`, `${prefix}lab-h1`, `${prefix}lab:h1`]],
  // A running lab's nodes as LAB:NODE, wherever a namespace is taken; bash splits the word at ':'.
  [`neslink link list -n ${prefix}lab:`, [`${prefix}lab:h1`]],
  [`neslink exec ${prefix}lab:h`, [`${prefix}lab:h1`]],
  [`neslink exec ${prefix}lab:h1 nsente`, ["nsenter"]],
  [`neslink apply ${dir}/la`, [`${dir}/lab.yaml`]],
  // An option's value before the command words is not one of them; exec's NS is a namespace, as after -n.
  [`neslink -n ${prefix}a link `, ["add", "del", "list", "set", "show"]],
  [`neslink exec ${prefix}`, [`${prefix}a`, `${prefix}lab-h1`, `${prefix}lab:h1`]],
  // NS given, the program comes next: commands, not namespaces (there or after -n), then its arguments: files.
  [`neslink exec ${prefix}a nsente`, ["nsenter"]],
  [`neslink exec -n ${prefix}a nsente`, ["nsenter"]],
  [`neslink exec ${prefix}a ls ${dir}/la`, [`${dir}/lab.yaml`]],
  // A running lab's name, where a FILE or a NAME is taken.
  [`neslink destroy ${prefix}`, [`${prefix}lab`]],
  [`neslink inspect ${prefix}`, [`${prefix}lab`]],
  [`neslink graph ${prefix}l`, [`${prefix}lab`]],
  [`neslink inspect ${dir}/la`, [`${dir}/lab.yaml`]],
  // ip's abbreviations read as parse reads them; a group alone is its list command, whose options it offers.
  ["neslink l ", ["add", "del", "list", "set", "show"]],
  ["neslink a s --j", ["--json"]],
  ["neslink link --", ["--help", "--json", "--ns"]],
  [`neslink net e ${prefix}a`, [`${prefix}a`]],
  [`neslink netns exec ${prefix}a nsente`, ["nsenter"]],
  // The words an argument may be, from the commands' own tables; ns del takes a named namespace (not LAB:NODE).
  ["neslink completion ", ["bash", "zsh"]],
  ["neslink monitor link r", ["route"]],
  ["neslink monitor -", ["--help", "--json", "--ns", "-n"]],
  ["neslink link add v", ["veth", "vxlan"]],
  [`neslink ns del ${prefix}`, [`${prefix}a`, `${prefix}lab-h1`]],
  [`neslink netns delete ${prefix}`, [`${prefix}a`, `${prefix}lab-h1`]],
  // A value that is a path: the agent's socket, as shell's -f.
  [`neslink agent --socket ${dir}/la`, [`${dir}/lab.yaml`]],
  // The agent's limits, and the word after one's value is not taken for a command's.
  ["neslink agent --max", ["--max-connections"]],
  ["neslink agent --max-connections 4 --d", ["--detach"]],
];

describe.each([
  ["bash", bash],
  ["zsh", zsh],
])("neslink completion %s", (_shell, complete) => {
  it.each(CASES)("%s<TAB>", (line, expected) => {
    expect(complete(line)).toEqual(expected);
  });
});

describe("neslink completion zsh", () => {
  it("loads compinit itself when the zshrc has not, and registers the function", () => {
    const r = execFileSync(
      "zsh",
      ["-f", "-c", `eval "$(${process.execPath} ${BIN} completion zsh)" && print -r -- "\${_comps[neslink]}"`],
      { encoding: "utf8", env: { ...process.env, HOME: dir } },
    );
    expect(r.trim()).toBe("_bash_complete -F _neslink");
  });

  it("refuses other shells", () => {
    expect(neslink("completion", "fish")).toMatchObject({ status: 2 });
  });
});

it("bash: after exec -n NS, the next word is the program: no namespace is offered there", () => {
  expect(bash(`neslink exec -n ${prefix}a ${prefix}`)).toEqual([]);
});

it("bash: a number is the agent's limits' to type: nothing is offered, not the agent's options", () => {
  expect(bash("neslink agent --idle-timeout ")).toEqual([]);
  expect(bash("neslink agent --max-connections ")).toEqual([]);
});

describe("neslink completion: names in /run/netns are offered as they are, never run; lock files not named as labs are not offered", () => {
  // Any root process can make such an entry (`ip netns add`); compgen -W expands each of its words, $(...) included.
  const hostile = `${prefix}x$(touch\${IFS}ran)`;
  beforeAll(() => {
    execFileSync("ip", ["netns", "add", hostile]);
    // Under a lab's default name, it is offered as one of its nodes.
    execFileSync("ip", ["netns", "add", `${prefix}lab-$(touch\${IFS}ran)`]);
    // Not a lab's name (a lab's is [a-z0-9-]): not offered at all.
    writeFileSync(`/run/neslink/topologies/${prefix}y$(touch\${IFS}ran).lock`, "");
  });

  function offered(line: string, shell: "bash" | "zsh"): string[] {
    const cwd = mkdtempSync(`${tmpdir()}/neslink-completion-cwd-`);
    try {
      const run = shell === "bash" ? () => bash(line, cwd) : () => zshIn(line, cwd);
      const got = run();
      expect(execFileSync("ls", ["-A", cwd], { encoding: "utf8" })).toBe("");
      return [...new Set(got)].filter(Boolean).sort();
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }

  function zshIn(line: string, cwd: string): string[] {
    const screen = execFileSync("zsh", ["-f", ZSH_DRIVER, process.execPath, BIN, line], { encoding: "utf8", timeout: 20_000, cwd });
    return [...screen.matchAll(/<<(.*?)>>/g)].map((m) => m[1] as string);
  }

  it.each(["bash", "zsh"] as const)("%s: after -n, exec and destroy", (shell) => {
    expect(offered(`neslink link list -n ${prefix}x`, shell)).toEqual([hostile]);
    expect(offered(`neslink exec ${prefix}x`, shell)).toEqual([hostile]);
    expect(offered(`neslink destroy ${prefix}`, shell)).toEqual([`${prefix}lab`]);
    expect(offered(`neslink exec ${prefix}lab:`, shell)).toEqual([`${prefix}lab:$(touch\${IFS}ran)`, `${prefix}lab:h1`]);
  });
});
