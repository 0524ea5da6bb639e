import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { joiningArgv } from "./cgroup-join.js";

// A plain directory stands in for the cgroup: its cgroup.procs is an ordinary file the shell writes its pid to.
let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("joiningArgv", () => {
  it("writes the pid that then becomes the command (exec: the same process), with the command's arguments as given", () => {
    dir = mkdtempSync(join(tmpdir(), "neslink-join-"));
    const [file, ...args] = joiningArgv(dir, ["/bin/sh", "-c", 'echo "$$ $1"', "sh", "two words"]);
    const out = execFileSync(file as string, args, { encoding: "utf8" });
    const joined = readFileSync(join(dir, "cgroup.procs"), "utf8").trim();
    expect(out).toBe(`${joined} two words\n`);
  });

  it("starts nothing when the shell cannot join", () => {
    dir = mkdtempSync(join(tmpdir(), "neslink-join-"));
    const [file, ...args] = joiningArgv(join(dir, "missing"), ["/bin/echo", "ran"]);
    expect(() => execFileSync(file as string, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).toThrow();
  });
});
