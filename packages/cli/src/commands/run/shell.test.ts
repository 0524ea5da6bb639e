import { describe, expect, it } from "vitest";
import { wordsOf } from "./shell.js";

describe("shell lines", () => {
  it("splits words as a shell does, quotes and comments included", () => {
    expect(wordsOf(`link set v0 alias "uplink to r1" # why`, 1)).toEqual(["link", "set", "v0", "alias", "uplink to r1"]);
    expect(wordsOf("   ", 1)).toEqual([]);
  });

  it("refuses shell operators, naming the line", () => {
    expect(() => wordsOf("ns list | grep x", 7)).toThrow('line 7: shell syntax is not supported here: "|"');
    expect(() => wordsOf("ns add lab > log", 1)).toThrow('here: ">"');
    expect(() => wordsOf("ns add lab*", 1)).toThrow('here: "lab*"');
  });

  it("refuses what a shell would read otherwise, rather than run another command", () => {
    // A quote left open, or a last backslash: a shell reads on into the next line.
    expect(() => wordsOf(`link del "v0 -n lab`, 3)).toThrow('line 3: shell syntax is not supported here: " not closed');
    expect(() => wordsOf("link del 'v0 -n lab", 1)).toThrow("' not closed");
    expect(() => wordsOf(`link set v0 alias "a\\"`, 1)).toThrow('" not closed');
    expect(() => wordsOf("ns add lab\\", 1)).toThrow("\\ at the end of the line");
    // Variables: a shell expands them, neslink has none to give.
    expect(() => wordsOf("ns add lab$i", 1)).toThrow('here: "$i"');
    expect(() => wordsOf(`link add bridge "br\${n}" -n lab`, 1)).toThrow('here: "$n"');
    // A # inside a word is part of it for a shell, a comment for shell-quote.
    expect(() => wordsOf("link set v0 alias a#b", 1)).toThrow("# inside a word");
    // Command substitution: a shell runs the command; shell-quote kept its text as a word (`ns add a\`id\`` made "a`id`").
    expect(() => wordsOf("ns add a`id`", 1)).toThrow("` (command substitution)");
    expect(() => wordsOf('ns add "a`id`"', 1)).toThrow("` (command substitution)");
    expect(() => wordsOf('ns add "a$(id)"', 1)).toThrow("$( (command substitution)");
    expect(() => wordsOf("ns add $(id)", 1)).toThrow("$( (command substitution)");
    // A ~ starting a word is a home directory to a shell (`exec lab cat ~/f` read /root/f there, "~/f" here).
    expect(() => wordsOf("exec lab cat ~/f", 1)).toThrow("~ starting a word");
    expect(() => wordsOf("ns add ~", 1)).toThrow("~ starting a word");
  });

  it("keeps what is quoted or escaped as it is", () => {
    expect(wordsOf(`link set v0 alias 'cost $5' "a#b" a\\#b it\\'s # comment "`, 1)).toEqual([
      "link",
      "set",
      "v0",
      "alias",
      "cost $5",
      "a#b",
      "a#b",
      "it's",
    ]);
    expect(wordsOf(`link set v0 alias "say \\"hi\\" \\\\"`, 1)).toEqual(["link", "set", "v0", "alias", 'say "hi" \\']);
    expect(wordsOf("ns add a $", 1)).toEqual(["ns", "add", "a", "$"]);
    expect(wordsOf(`link set v0 alias '\`id\` $(id) ~' "~" \\~ a~b \\\`x\\\` "\\$(x)"`, 1)).toEqual([
      "link",
      "set",
      "v0",
      "alias",
      "`id` $(id) ~",
      "~",
      "~",
      "a~b",
      "`x`",
      "$(x)",
    ]);
  });
});
