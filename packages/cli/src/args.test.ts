import { shown, ValidationError } from "@neslink/core/errors";
import { describe, expect, it } from "vitest";
import { parse, wantsJson } from "./args.js";
import { commands } from "./commands/index.js";

const run = (...argv: string[]) => {
  const parsed = parse(argv, commands);
  if (parsed.kind !== "run") throw new Error(`expected a command, got ${parsed.kind}`);
  return { command: parsed.command.name, ...parsed.invocation };
};

function usageError(argv: string[]): ValidationError {
  try {
    parse(argv, commands);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe("ERR_INVALID_ARGUMENT");
    return err as ValidationError;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
}

describe("parse", () => {
  it("takes a negative number as a keyword's value, not as short options, so the keyword's own check names it", () => {
    expect(run("link", "set", "v0", "mtu", "-5", "-n", "lab1")).toMatchObject({ args: ["v0", "mtu", "-5"], ns: "lab1" });
    expect(run("route", "add", "default", "dev", "v0", "metric", "-1").args).toEqual(["default", "dev", "v0", "metric", "-1"]);
    expect(run("-n", "-7", "link", "list").ns).toBe("-7");
    // -4 and -6 stay options; after "--" every word is the program's, as it was.
    expect(run("addr", "list", "-4").options.inet).toBe(true);
    expect(run("exec", "h1", "--", "seq", "-2", "-1").args).toEqual(["h1", "seq", "-2", "-1"]);
    expect(usageError(["link", "list", "-x"]).message).toBe(`-x: is not an option of "neslink link list"`);
  });

  it("keeps a NUL a word starts with (a line of neslink shell can hold one): it is not the mark of a negative number", () => {
    expect(usageError(["\0ns", "list"]).message).toMatch(/^command: unknown command "\0ns"/);
    expect(usageError(["\0"]).message).toMatch(/^command: unknown command "\0"/);
    expect(run("link", "show", "\0").args).toEqual(["\0"]);
    expect(run("link", "set", "v0", "mtu", "\0-5", "-n", "\0-7")).toMatchObject({ args: ["v0", "mtu", "\0-5"], ns: "\0-7" });
    expect(run("link", "set", "v0", "mtu", "-5", "-n", "-7")).toMatchObject({ args: ["v0", "mtu", "-5"], ns: "-7" });
    expect(run("link", "list", "--ns=\0x").ns).toBe("\0x");
  });

  it("names an unknown option and the argument it was read from, and says where such an argument goes", () => {
    const dash = usageError(["plan", "-dash.yaml"]);
    expect(dash.field).toBe("-d");
    expect(dash.message).toBe(
      `-d: is not an option (read from "-dash.yaml"); an argument that starts with '-' goes after "--", as in: -- -dash.yaml`,
    );
    const long = usageError(["exec", "h1", "--bogus=1"]);
    expect(long.field).toBe("--bogus");
    expect(long.message).toBe(`--bogus: is not an option; an argument that starts with '-' goes after "--", as in: -- --bogus=1`);
    expect(run("plan", "--", "-dash.yaml")).toMatchObject({ command: "plan", args: ["-dash.yaml"] });
  });

  it("quotes the argument an unknown option was read from as core's errors quote a value: a long one by its start and size", () => {
    const arg = `-d${"x".repeat(100)}`;
    expect(usageError(["plan", arg]).message).toBe(
      `-d: is not an option (read from ${shown(arg)}); an argument that starts with '-' goes after "--", as in: -- ${arg}`,
    );
    expect(shown(arg)).toBe(`"${arg.slice(0, 64)}"… (102 bytes)`);
  });

  it("points a mistyped option of a command that passes no arguments through to its nearest option, not to --", () => {
    expect(usageError(["apply", "x.yaml", "--yse"]).message).toBe(`--yse: is not an option of "neslink apply"; did you mean --yes?`);
    expect(usageError(["link", "list", "--bogus=1"]).message).toBe(`--bogus: is not an option of "neslink link list"`);
    expect(usageError(["--jsno"]).message).toBe("--jsno: is not an option; did you mean --json?");
    expect(usageError(["plan", "x.yaml", "--yes"]).message).toBe(`--yes: is not an option of "neslink plan"`);
  });

  it("refuses an option that takes a value given twice, however spelled, and lets a flag given twice be", () => {
    expect(usageError(["link", "list", "-n", "a", "-n", "b"]).message).toBe("-n: is given twice; it takes one value");
    expect(usageError(["graph", "x.yaml", "--format=dot", "--format", "json"]).field).toBe("--format");
    expect(usageError(["link", "list", "-na", "--ns", "b"]).message).toBe("--ns: is given twice (as -n and --ns); it takes one value");
    expect(run("destroy", "x.yaml", "--yes", "-y").options.yes).toBe(true);
  });

  it("names an option given without its value, or a flag given one, as typed (not Node's message on argv)", () => {
    for (const [argv, field, message] of [
      [["link", "list", "-n"], "-n", "needs a value"],
      [["link", "list", "--ns"], "--ns", "needs a value"],
      [["graph", "lab", "--format"], "--format", "needs a value"],
      [["link", "list", "--json=1"], "--json", "takes no value"],
    ] as const) {
      const err = usageError([...argv]);
      expect(err.field).toBe(field);
      expect(err.message).toBe(`${field}: ${message}`);
    }
  });

  it("names an option a command does not take as it was typed", () => {
    const short = usageError(["ns", "list", "-n", "foo"]);
    expect(short.field).toBe("-n");
    expect(short.message).toBe(`-n: is not an option of "neslink ns list"`);
    expect(usageError(["ns", "list", "--ns=foo"]).field).toBe("--ns");
  });

  it("picks the longest matching command and its positional arguments", () => {
    expect(run("ns", "add", "lab1")).toEqual({ command: "ns add", args: ["lab1"], ns: undefined, options: {} });
    expect(run("ns", "del", "lab1")).toEqual({ command: "ns del", args: ["lab1"], ns: undefined, options: {} });
    expect(run("link", "show", "eth0", "-n", "lab1")).toEqual({ command: "link show", args: ["eth0"], ns: "lab1", options: {} });
    expect(run("link", "add", "veth", "v0", "peer", "eth0", "up")).toMatchObject({
      command: "link add",
      args: ["veth", "v0", "peer", "eth0", "up"],
    });
  });

  it("takes options before or after the command words", () => {
    expect(run("--json", "links", "--ns", "lab1")).toMatchObject({ command: "links", ns: "lab1" });
    expect(run("links", "--ns=lab1", "--json")).toMatchObject({ command: "links", ns: "lab1" });
  });

  it("takes several labs for inspect, as its usage says ([FILE|NAME]...)", () => {
    expect(run("inspect", "a", "b.yaml").args).toEqual(["a", "b.yaml"]);
  });

  it("passes everything after -- to exec untouched", () => {
    expect(run("exec", "--ns", "lab1", "--", "ip", "-j", "link", "--json")).toEqual({
      command: "exec",
      args: ["ip", "-j", "link", "--json"],
      ns: "lab1",
      options: {},
    });
    expect(run("exec", "demo:h1", "--", "ping", "-c1", "10.0.2.1")).toMatchObject({ args: ["demo:h1", "ping", "-c1", "10.0.2.1"] });
  });

  it("gives each command only its own options, with their values", () => {
    expect(run("apply", "lab.yaml", "--dry-run", "-y")).toMatchObject({ args: ["lab.yaml"], options: { "dry-run": true, yes: true } });
    expect(run("graph", "lab", "--format", "dot")).toMatchObject({ options: { format: "dot" } });
    expect(run("route", "list", "-6")).toMatchObject({ options: { inet6: true } });
    expect(usageError(["ns", "list", "--dry-run"]).field).toBe("--dry-run");
    expect(usageError(["link", "set", "eth0"]).field).toBe("KEYWORD");
  });

  it("answers --help for everything, a group and a command, and --version", () => {
    expect(parse(["--help"], commands)).toEqual({ kind: "help", topic: "" });
    expect(parse(["ns", "-h"], commands)).toEqual({ kind: "help", topic: "ns" });
    expect(parse(["link", "show", "--help"], commands)).toEqual({ kind: "help", topic: "link show" });
    expect(parse(["links", "-V"], commands)).toEqual({ kind: "version" });
    expect(parse(["ns", "--version"], commands)).toEqual({ kind: "version" });
  });

  it("refuses each command without the argument its synopsis shows as required (one it can go without is in brackets)", () => {
    for (const command of commands) {
      const words = command.name.split(" ");
      const first = command.synopsis.split(" ")[words.length];
      // A word in capitals right after the command's name, not in brackets, is its first required argument.
      if (first === undefined || !/^[A-Z]/.test(first)) continue;
      const parsed = (() => {
        try {
          return parse(words, commands);
        } catch (err) {
          return err;
        }
      })();
      expect([command.synopsis, parsed instanceof ValidationError]).toEqual([command.synopsis, true]);
    }
  });

  it("refuses --version after words that name no command, as --help does", () => {
    expect(usageError(["--version", "extra"]).message).toBe('argv: unexpected argument "extra" for "neslink --version"');
    expect(usageError(["-V", "extra", "more"]).message).toBe('argv: unexpected argument "extra" for "neslink --version"');
    expect(usageError(["--help", "extra"]).message).toBe('command: unknown command "extra"');
  });

  it("names the field at fault in usage errors", () => {
    expect(usageError([]).field).toBe("command");
    expect(usageError(["frob"]).message).toContain('unknown command "frob"');
    // The mistyped word, not the arguments after it (nor an exec's program).
    expect(usageError(["aply", "lab.yaml"]).message).toBe(`command: unknown command "aply"; did you mean "apply"?`);
    expect(usageError(["ns", "ax", "lab1"]).message).toBe(`command: unknown command "ns ax"`);
    expect(usageError(["exe", "h1", "--", "ping", "-c1", "10.0.0.1"]).message).toBe(`command: unknown command "exe"; did you mean "exec"?`);
    expect(usageError(["ns", "pr"]).message).toBe('command: unknown command "ns pr"');
    // A slip is answered with the command words meant, among those that may come there; a word far from all is not.
    expect(usageError(["destory", "lab"]).message).toBe('command: unknown command "destory"; did you mean "destroy"?');
    expect(usageError(["link", "sett", "eth0", "up"]).message).toBe('command: unknown command "link sett"; did you mean "link set"?');
    expect(usageError(["-n", "h1", "lnik"]).message).toBe('command: unknown command "lnik"; did you mean "link"?');
    expect(usageError(["ns", "add"]).field).toBe("NAME");
    expect(usageError(["ns", "add", "a", "b"]).message).toContain('unexpected argument "b"');
    expect(usageError(["ns", "add", "a", "--ns", "b"]).field).toBe("--ns");
    // exec's NS comes first: missing when nothing comes before "--" (a lone word after it is the program), else CMD.
    for (const argv of [["exec"], ["exec", "--", "true"], ["ns", "exec", "--", "true"], ["exec", "--json", "--", "true"]])
      expect(usageError(argv).message).toMatch(/^NS: is required \(neslink (ns )?exec NS -- CMD, or -n NS\)$/);
    expect(usageError(["exec", "-n", "h1"]).field).toBe("CMD");
    expect(run("exec", "h1").args).toEqual(["h1"]);
    expect(run("exec", "-n", "h1", "--", "true")).toMatchObject({ ns: "h1", args: ["true"] });
    expect(run("exec", "--", "h1", "true").args).toEqual(["h1", "true"]);
    expect(usageError(["links", "--bogus"]).field).toBe("--bogus");
    expect(usageError(["links", "--ns"]).field).toBe("--ns");
  });
});

describe("wantsJson", () => {
  it("looks only before -- or an exec's program", () => {
    expect(wantsJson(["links", "--json"])).toBe(true);
    expect(wantsJson(["exec", "--ns", "a", "--", "tool", "--json"])).toBe(false);
    expect(wantsJson(["--bogus", "--json"])).toBe(true);
    expect(wantsJson(["exec", "a", "tool", "--json"])).toBe(false);
  });
});
