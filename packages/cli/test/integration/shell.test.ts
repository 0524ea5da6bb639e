import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslinkWith } from "./run.js";

const prefix = uniquePrefix("ns");
afterAll(() => cleanup(prefix));

describe("neslink shell: many commands, one process", () => {
  it("runs a script's lines in order; quotes and comments as in a shell", () => {
    const names = Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
    const script = [
      "# twenty namespaces, then a link in the first",
      ...names.map((n) => `ns add ${n}`),
      `link add bridge br0 up -n ${names[0]}`,
      `link set br0 alias "made by a script" -n ${names[0]}  # a comment`,
    ].join("\n");
    const r = neslinkWith(script, "shell");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(netnsList(prefix).sort()).toEqual([...names].sort());
    const [br0] = JSON.parse(execFileSync("ip", ["-j", "-n", names[0] as string, "link", "show", "br0"], { encoding: "utf8" }));
    expect(br0.ifalias).toBe("made by a script");
  });

  it("stops at the first failing line with its status and says which; --json prints each result on a line of its own (JSON Lines)", () => {
    const name = `${prefix}x`;
    const r = neslinkWith([`ns add ${name}`, `ns add ${name}`, `ns del ${name}`].join("\n"), "shell", "--json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`neslink: stopped at line 2: ns add ${name}`);
    const lines = r.stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((t) => JSON.parse(t));
    expect(first).toEqual({ name, path: `/run/netns/${name}` });
    expect(second.error.code).toBe("ERR_NS_EXISTS");
    expect(netnsList(prefix)).toContain(name);
  });

  it("a 1000-line script with a line a shell would read otherwise: stops there with a usage error, having run only the lines before", () => {
    const name = `${prefix}k`;
    // The bad line left open its quote: shell-quote closed it, and the line ran as `link add bridge k2 -n NS`.
    const bad = `link add bridge "${prefix}q -n ${name}`;
    const lines = [`ns add ${name}`, ...Array.from({ length: 998 }, (_, i) => `link add bridge b${i} -n ${name}`)];
    lines.splice(500, 0, bad);
    const r = neslinkWith(lines.join("\n"), "shell");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('line 501: shell syntax is not supported here: " not closed');
    expect(r.stderr).toContain(`stopped at line 501: ${bad}`);
    const names = (JSON.parse(execFileSync("ip", ["-j", "-n", name, "link", "show"], { encoding: "utf8" })) as { ifname: string }[]).map(
      (l) => l.ifname,
    );
    // lo and the 499 bridges before the bad line; nothing after it, nothing of it here nor on the host.
    expect(names).toHaveLength(500);
    expect(names).toContain("b498");
    expect(names).not.toContain("b499");
    expect(names).not.toContain(`${prefix}q`);
    expect(execFileSync("ip", ["-br", "link", "show"], { encoding: "utf8" })).not.toContain(`${prefix}q`);
    // A variable is refused the same way: a shell would expand it, shell-quote made it "" (`ns add ${prefix}$i` added ${prefix}).
    const v = neslinkWith(`ns add ${prefix}v$i`, "shell");
    expect(v.status).toBe(2);
    expect(v.stderr).toContain('shell syntax is not supported here: "$i"');
    expect(netnsList(`${prefix}v`)).toEqual([]);
  });

  it("a command substitution or a ~ starting a word: refused, where it used to be kept as text (a namespace named a`id`)", () => {
    for (const [line, syntax] of [
      [`ns add ${prefix}c\`id\``, "` (command substitution)"],
      [`ns add "${prefix}c$(id)"`, "$( (command substitution)"],
      [`exec ${prefix}c cat ~/${prefix}`, "~ starting a word"],
    ]) {
      const r = neslinkWith(line as string, "shell");
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`line 1: shell syntax is not supported here: ${syntax}`);
    }
    expect(netnsList(`${prefix}c`)).toEqual([]);
  });

  it("a program run by exec reads none of the script, even lines that come while it runs (as through the agent)", async () => {
    const ns = `${prefix}e`;
    const made = `${prefix}m`;
    execFileSync("ip", ["netns", "add", ns]);
    // The script comes through a pipe, as from `... | neslink shell`: its second part once this test says "go".
    const script = [
      `printf '%s\\n' 'exec ${ns} -- sh -c "echo started; cat; echo done"'`,
      "read -r go",
      `printf '%s\\n' 'exec ${ns} -- cat' 'ns add ${made}'`,
    ].join("; ");
    const shell = spawn("sh", ["-c", `{ ${script}; } | "$0" "$1" shell`, process.execPath, BIN], {
      env: { ...process.env, NESLINK_AGENT: "" },
    });
    let stdout = "";
    shell.stdout.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => shell.once("exit", resolve));
    // The program's cat has ended (it got no input), or it waits to read: the script's next lines come only then.
    const netns = statSync(`/run/netns/${ns}`).ino;
    const catWaiting = () =>
      readdirSync("/proc").some((pid) => {
        try {
          return (
            readFileSync(`/proc/${pid}/comm`, "utf8") === "cat\n" &&
            statSync(`/proc/${pid}/ns/net`).ino === netns &&
            readFileSync(`/proc/${pid}/syscall`, "utf8").startsWith(`${process.arch === "arm64" ? 63 : 0} `)
          );
        } catch {
          return false;
        }
      });
    for (const end = Date.now() + 20_000; !stdout.includes("done") && !catWaiting(); await new Promise((r) => setTimeout(r, 20)))
      if (Date.now() > end) throw new Error("the first line's program neither ended nor read");
    // It used to take these lines as its input, and print them.
    shell.stdin.end("go\n");
    expect(await exited).toBe(0);
    expect(stdout.split("\n").slice(0, 2)).toEqual(["started", "done"]);
    expect(stdout).not.toContain("ns add");
    expect(netnsList(made)).toEqual([made]);
  });

  it("input with no line break (shell -f /dev/zero, a binary piped in): a usage error naming the line, not a crash", () => {
    for (const args of [
      ["shell", "-f", "/dev/zero"],
      ["shell", "--json", "-f", "/dev/zero"],
    ]) {
      const r = neslinkWith(undefined, ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toContain("    at ");
      expect(args.includes("--json") ? JSON.parse(r.stdout).error.field : r.stderr).toContain("line 1");
    }
    // A line after some good ones is counted as readline counts them (\r\n one break, a lone \r one).
    const piped = neslinkWith(`ns list\r\nns list\r${"a".repeat(2 << 20)}`, "shell");
    expect(piped.status).toBe(2);
    expect(piped.stderr).toContain("neslink: ERR_INVALID_ARGUMENT: line 3: is longer than 1048576 bytes");
  });

  it("the failing line quoted when it stops is escaped as every printed text is: a line's bytes do not reach the terminal as commands", () => {
    // Garbage piped in (a binary, a captured colour log): a clear-screen and a window title in the line that failed.
    const line = `ns add ${prefix}\x1b[2J\x1b]0;owned\x07\0z`;
    const r = neslinkWith(`${line}\n`, "shell");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`neslink: stopped at line 1: ns add ${prefix}\\x1b[2J\\x1b]0;owned\\x07\\x00z\n`);
    // No control character but tab and newline reaches the terminal.
    const control = [...r.stderr].filter((c) => {
      const n = c.codePointAt(0) as number;
      return (n < 0x20 && n !== 0x09 && n !== 0x0a) || n === 0x7f;
    });
    expect(control).toEqual([]);
    expect(netnsList(prefix)).not.toContain(`${prefix}z`);
  });

  it("-f FILE that cannot be read: a usage error naming FILE, as for a topology file", () => {
    const missing = neslinkWith(undefined, "shell", "-f", `/nonexistent/${prefix}`);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`neslink: ERR_INVALID_ARGUMENT: file: cannot read /nonexistent/${prefix}: no such file`);
    const dir = neslinkWith(undefined, "shell", "-f", "/");
    expect(dir.status).toBe(2);
    expect(dir.stderr).toContain("file: cannot read /: a directory");
  });
});
