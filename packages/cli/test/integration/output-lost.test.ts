// A command whose output cannot be written (stdout on /dev/full: ENOSPC) says so on one line of stderr, with what the
// command itself came to, and exits with the status the README gives: never a stack trace, never a change made and
// not said.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("t26j");

afterEach(() => cleanup(prefix));

/** The built bin with stdout on /dev/full, and stderr too if `stderrFull`. */
function intoFull(args: string[], stderrFull = false) {
  const full = openSync("/dev/full", "w");
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", full, stderrFull ? full : "pipe"],
    });
    return { status: r.status, stderr: r.stderr ?? "" };
  } finally {
    closeSync(full);
  }
}

const LOST = "neslink: could not write the output (ENOSPC: no space left on device)";
const SUCCEEDED = `${LOST}; the command itself succeeded.\n`;

describe("output that cannot be written (stdout on /dev/full)", () => {
  it.each([[[]], [["--json"]]])("a read-only command %j: one line, exit 1", (mode) => {
    // Not `ns list`: with no namespace it prints nothing in text, and other tests' come and go.
    for (const args of [["--version"], ["link", "list"], ["route", "list"]]) {
      expect(intoFull([...args, ...mode]), args.join(" ")).toEqual({ status: 1, stderr: SUCCEEDED });
    }
  });

  it.each([[[]], [["--json"]]])("a usage error %j: its error on stderr, its own status 2", (mode) => {
    const r = intoFull(["bogus", ...mode]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain("    at ");
    expect(r.stderr).toContain('neslink: ERR_INVALID_ARGUMENT: command: unknown command "bogus"\n');
  });

  it("--json's usage error: the document lost is said too", () => {
    expect(intoFull(["bogus", "--json"]).stderr).toContain(`${LOST}; the command itself ended with status 2.\n`);
  });

  it.each([[[]], [["--json"]]])("a change %j: made, and said to be, exit 1", (mode) => {
    const name = `${prefix}a`;
    expect(intoFull(["ns", "add", name, ...mode])).toEqual({ status: 1, stderr: SUCCEEDED });
    expect(netnsList(prefix)).toEqual([name]);
    expect(intoFull(["ns", "del", name, ...mode])).toEqual({ status: 1, stderr: SUCCEEDED });
    expect(netnsList(prefix)).toEqual([]);
  });

  it("apply and destroy: the lab applied and destroyed, and said to be", () => {
    const dir = mkdtempSync(`${tmpdir()}/${prefix}`);
    try {
      const file = `${dir}/lab.yaml`;
      writeFileSync(file, `name: ${prefix}l\nnodes:\n  h1: {}\n  h2: {}\nlinks:\n  - endpoints: ["h1:e0", "h2:e0"]\n`);
      expect(intoFull(["apply", file, "--yes", "--json"])).toEqual({ status: 1, stderr: SUCCEEDED });
      expect(netnsList(prefix).sort()).toEqual([`${prefix}l-h1`, `${prefix}l-h2`]);
      expect(intoFull(["destroy", `${prefix}l`, "--yes"])).toEqual({ status: 1, stderr: SUCCEEDED });
      expect(netnsList(prefix)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an apply interrupted (--json): its ERR_ABORTED document lost is said, with the signal's status", async () => {
    const dir = mkdtempSync(`${tmpdir()}/${prefix}`);
    try {
      const file = `${dir}/lab.yaml`;
      const started = `${dir}/started`;
      writeFileSync(file, `name: ${prefix}i\nnodes:\n  h1: { exec: [[sh, -c, ': > ${started}; sleep 30']] }\n`);
      const full = openSync("/dev/full", "w");
      const child = spawn(process.execPath, [BIN, "apply", file, "--yes", "--json"], { stdio: ["ignore", full, "pipe"] });
      closeSync(full);
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const ended = new Promise<number | null>((resolve) =>
        child.on("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : null))),
      );
      await expect.poll(() => existsSync(started), { timeout: 20_000 }).toBe(true);
      child.kill("SIGINT");
      expect(await ended).toBe(130);
      expect(stderr).toBe(`${LOST}; the command itself ended with status 130.\n`);
      expect(intoFull(["destroy", `${prefix}i`, "--yes"])).toEqual({ status: 1, stderr: SUCCEEDED });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stderr unwritable too: quiet, with the status", () => {
    const name = `${prefix}q`;
    expect(intoFull(["ns", "add", name, "--json"], true)).toEqual({ status: 1, stderr: "" });
    expect(netnsList(prefix)).toEqual([name]);
    expect(intoFull(["bogus", "--json"], true)).toEqual({ status: 2, stderr: "" });
  });
});
