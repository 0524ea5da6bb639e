import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { commands } from "./commands/index.js";
import { main } from "./main.js";

// Only paths that never reach the kernel: help, version and usage errors.

/** Help text with its lines wrapped to 80 columns joined again: what a line said, whatever its width. */
const unwrapped = (help: string) => help.replace(/\n +(?=\S)/g, (gap) => (gap === "\n  " ? gap : " "));

/** `argv` run by main; `outLost`: as when stdout cannot be written (what it is given goes nowhere). */
async function run(argv: string[], outLost = false) {
  const out: string[] = [];
  const err: string[] = [];
  const terminal = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    onSignals: () => () => {},
    raise: () => {},
  };
  const status = await main(argv, {
    out: (t) => (outLost ? undefined : out.push(t)),
    err: (t) => err.push(t),
    outLost: () => outLost,
    terminal,
  });
  return { status, stdout: out.join(""), stderr: err.join("") };
}

const call = (...argv: string[]) => run(argv);

describe("main", () => {
  it("prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(await call("--version")).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
    expect(JSON.parse((await call("--version", "--json")).stdout)).toEqual({ version });
  });

  it("lists every command in --help and gives each its own usage", async () => {
    const { status, stdout } = await call("--help");
    expect(status).toBe(0);
    for (const command of commands) {
      expect(unwrapped(stdout)).toContain(command.synopsis);
      const own = unwrapped((await call(...command.name.split(" "), "--help")).stdout);
      const usage = own.slice(0, own.indexOf("\n"));
      // The synopsis, with --json among neslink's own options: before a `--`, after which all is the program's.
      expect(usage.replace(" [--json]", "")).toBe(`Usage: neslink ${command.synopsis}`);
      const json = usage.indexOf(" [--json]");
      expect(json).toBeGreaterThan(0);
      if (usage.includes(" -- ")) expect(json).toBeLessThan(usage.indexOf(" -- "));
      expect(own).toContain("Exit status:");
    }
  });

  it("exits 2 on a usage error, with a hint, or with { error } on stdout under --json", async () => {
    const human = await call("frob");
    expect(human.status).toBe(2);
    expect(human.stdout).toBe("");
    expect(human.stderr).toBe('neslink: ERR_INVALID_ARGUMENT: command: unknown command "frob"\nRun "neslink --help" for usage.\n');

    // Where a command (or group) is named, its own help.
    expect((await call("link", "add", "bridge")).stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: NAME: is required\nRun "neslink link add --help" for usage.\n',
    );
    // `link ad` is ip's abbreviation of link add: a word no ip command begins is unknown.
    expect((await call("link", "frob")).stderr).toMatch(/\nRun "neslink link --help" for usage\.\n$/);
    expect((await call("ns", "add", "a/b")).stderr).toMatch(/\nRun "neslink ns add --help" for usage\.\n$/);

    const json = await call("ns", "add", "--json");
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "NAME" });
  });

  it("run with nothing at all, says a command is needed and which there are (--help's text) on stderr, exit 2", async () => {
    const bare = await call();
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toBe(`neslink: a command is required\n\n${(await call("--help")).stdout}`);
    for (const command of commands) expect(unwrapped(bare.stderr)).toContain(command.synopsis);
  });

  it("monitor --help says that a watched namespace is given an nsid here, which `ip netns list` then shows", async () => {
    const { stdout } = await call("monitor", "--help");
    expect(stdout.replaceAll("\n", " ")).toContain(
      "Each namespace watched (-n NS, or each with `all`) is given an nsid in the namespace neslink runs in, if it has none",
    );
    expect(stdout).toContain('`ip netns list` shows it as "(id: N)"');
  });

  it("refuses a bad namespace name before anything touches the kernel", async () => {
    const { status, stdout } = await call("ns", "add", "../etc", "--json");
    expect(status).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "name" });
  });

  it("lists in a group's help the options its subcommands' help lists (-n of link, addr, route, ns exec)", async () => {
    const optionLines = (help: string) =>
      (/\nOptions:\n((?: {2}.*\n)+)/.exec(help)?.[1] ?? "").split("\n").flatMap((l) => /^ {2}(-[^\s,]+(?:, -[^\s,]+)?)/.exec(l)?.[1] ?? []);
    for (const group of ["ns", "link", "addr", "route"]) {
      const listed = optionLines((await call(group, "--help")).stdout);
      expect(listed).toContain("-n, --ns");
      for (const command of commands.filter((c) => c.name.startsWith(`${group} `)))
        expect(listed).toEqual(expect.arrayContaining(optionLines((await call(...command.name.split(" "), "--help")).stdout)));
    }
    // One that only some of them take says which.
    expect(unwrapped((await call("ns", "--help")).stdout)).toMatch(/\n {2}-n, --ns NS +work in namespace NS: .* \(ns exec\)\n/);
  });

  it("says in inspect's usage that it takes several labs, as it does", async () => {
    expect((await call("inspect", "--help")).stdout).toMatch(/^Usage: neslink inspect \[FILE\|NAME\]\.\.\. \[--json\]\n/);
  });

  it("puts --json before exec's `--` in its usage, where it is neslink's (after it, it is the program's)", async () => {
    for (const name of [["exec"], ["ns", "exec"]]) {
      const usage = (await call(...name, "--help")).stdout.split("\n")[0];
      expect(usage).toBe(`Usage: neslink ${name.join(" ")} NS [--json] -- CMD [ARG...]`);
    }
  });

  it("requires a namespace and a program for exec", async () => {
    const { status, stderr } = await call("exec", "--", "true");
    expect(status).toBe(2);
    expect(stderr).toContain("NS: is required");
    const noProgram = await call("exec", "h1");
    expect(noProgram.status).toBe(2);
    expect(noProgram.stderr).toContain("CMD: is required");
  });

  it("exits 3 for a topology file with mistakes, naming file, line and field", async () => {
    const dir = mkdtempSync(`${tmpdir()}/neslink-cli-`);
    try {
      const file = `${dir}/bad.yaml`;
      writeFileSync(file, 'name: bad\nnodes:\n  h1: {}\nlinks:\n  - endpoints: ["h1:eth0", "r9:eth0"]\n');
      const { status, stderr } = await call("plan", file);
      expect(status).toBe(3);
      expect(stderr).toContain(`${file}:5:`);
      expect(stderr).toContain('links[0].endpoints[1]: no node named "r9"');
      const json = await call("apply", file, "--json");
      expect(json.status).toBe(3);
      expect(JSON.parse(json.stdout).error.problems[0]).toMatchObject({ path: "links[0].endpoints[1]", line: 5 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown link kind or keyword, naming it", async () => {
    expect((await call("link", "add", "bond", "b0")).stderr).toContain('KIND: "bond" is not a kind');
    const bad = await call("link", "add", "veth", "v0", "peer", "e0", "colour", "red", "--json");
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ field: "colour" });
    expect((await call("link", "add", "veth", "v0")).stderr).toContain("peer: is required");
    expect((await call("link", "set", "v0", "up", "down")).status).toBe(2);
    expect((await call("addr", "add", "10.0.0.1/24")).stderr).toContain("dev: is required");
    expect((await call("graph", "x", "--format", "png")).stderr).toContain("--format: must be one of mermaid, dot, json");
  });

  it("says a --json error on stderr, as text mode does, when its document could not be written", async () => {
    expect(await run(["bogus", "--json"], true)).toEqual({
      status: 2,
      stdout: "",
      stderr: 'neslink: ERR_INVALID_ARGUMENT: command: unknown command "bogus"\nRun "neslink --help" for usage.\n',
    });
  });

  it("prints --help as one JSON document with --json: its topic and the text", async () => {
    for (const topic of [[], ["link"], ["link", "add"]]) {
      const text = await call(...topic, "--help");
      const json = await call(...topic, "--help", "--json");
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ topic: topic.join(" "), help: text.stdout });
    }
  });
});
