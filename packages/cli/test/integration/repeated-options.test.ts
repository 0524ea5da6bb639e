/**
 * An option that takes a value, given twice, with the built bin: refused as a usage error (exit 2) naming the option,
 * and nothing done, rather than Node's parser keeping the last value (the change went to the second namespace only).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("ro");
const [a, b] = [`${prefix}a`, `${prefix}b`];
const mtu = (ns: string) => JSON.parse(execFileSync("ip", ["-n", ns, "-j", "-d", "link", "show", "d0"], { encoding: "utf8" }))[0].mtu;
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "neslink-ro-"));
  for (const ns of [a, b]) {
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "add", "d0", "type", "bridge"]);
  }
});

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe("an option given twice", () => {
  it("is refused naming the option, however spelled, and neither namespace is changed", () => {
    for (const [argv, said] of [
      [["-n", a, "-n", b], "-n: is given twice; it takes one value"],
      [["-n", a, `--ns=${b}`], "--ns: is given twice (as -n and --ns); it takes one value"],
    ] as const) {
      const r = neslink("link", "set", "d0", "mtu", "1400", ...argv);
      expect({ status: r.status, line: r.stderr.split("\n")[0] }).toEqual({ status: 2, line: `neslink: ERR_INVALID_ARGUMENT: ${said}` });
      expect([mtu(a), mtu(b)]).toEqual([1500, 1500]);
    }
  });

  it("is refused for --format (graph printed the last format asked) and --file (of shell)", () => {
    const file = join(dir, "lab.yaml");
    writeFileSync(file, `name: ${prefix}l\nnodes:\n  h1: {}\n`);
    for (const argv of [
      ["graph", file, "--format", "dot", "--format", "json"],
      ["shell", "-f", file, "--file", file],
    ]) {
      const r = neslink(...argv);
      const flag = argv.includes("--format") ? "--format" : "--file";
      expect({ status: r.status, stdout: r.stdout, said: r.stderr.split("\n")[0]?.includes(`${flag}: is given twice`) }, r.stderr).toEqual({
        status: 2,
        stdout: "",
        said: true,
      });
    }
  });

  it("--json with a --format other than json is refused too (it printed JSON, the format unsaid); --format json with it is fine", () => {
    const file = join(dir, "lab.yaml");
    writeFileSync(file, `name: ${prefix}l\nnodes:\n  h1: {}\n`);
    const r = neslink("--json", "graph", file, "--format", "dot");
    expect(r.status).toBe(2);
    // With --json, the error is JSON on stdout.
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "--format" });
    expect(JSON.parse(r.stdout).error.message).toContain("dot cannot be printed with --json");
    expect(neslink("--json", "graph", file, "--format", "json").status).toBe(0);
    expect(neslink("--json", "graph", file).status).toBe(0);
  });
});
