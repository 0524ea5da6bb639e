/**
 * A socket path longer than sockaddr_un's sun_path holds (107 bytes and its
 * NUL): bind used to make a socket of a cut name, which clients of the full
 * name never found and which blocked the next start with EADDRINUSE. The
 * agent refuses it before making anything, and its client before looking.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-sockpath-`);
/** A socket in a directory not yet made: 100 bytes of its name alone, past the limit whatever tmpdir is. */
const long = `${dir}/${"d".repeat(100)}/s.sock`;
const bytes = Buffer.byteLength(long);
const pids: number[] = [];

afterAll(() => {
  // Without the check, --detach started an agent on the cut name: it is ended here so that a failing run leaks nothing.
  for (const pid of pids) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function neslink(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_AGENT: "", ...env },
  });
  const pid = /NESLINK_AGENT_PID=(\d+);/.exec(r.stdout)?.[1];
  if (pid !== undefined) pids.push(Number(pid));
  return r;
}

describe("a socket path past sun_path's limit", () => {
  it("agent --socket (foreground and --detach): refused naming --socket and the limit; no directory, no socket made", () => {
    for (const args of [
      ["agent", "--socket", long],
      ["agent", "--socket", long, "--detach"],
    ]) {
      const r = neslink(args);
      expect(r.stderr, args.join(" ")).toBe(
        `neslink: ERR_INVALID_ARGUMENT: --socket: ${long} is ${bytes} bytes long; a unix socket path holds at most 107 (sun_path is 108 bytes with its NUL)\nRun "neslink agent --help" for usage.\n`,
      );
      expect(r.status).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    }
    const r = neslink(["--json", "agent", "--socket", long, "--detach"]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ name: "ValidationError", code: "ERR_INVALID_ARGUMENT", field: "--socket" });
  });

  it("NESLINK_AGENT: the client refuses it naming the variable, not 'no agent ... start one'", () => {
    const r = neslink(["ns", "list"], { NESLINK_AGENT: long });
    expect(r.stderr).toBe(
      `neslink: ERR_INVALID_ARGUMENT: NESLINK_AGENT: ${long} is ${bytes} bytes long; a unix socket path holds at most 107 (sun_path is 108 bytes with its NUL)\n`,
    );
    expect(r.status).toBe(2);
    const j = neslink(["--json", "ns", "list"], { NESLINK_AGENT: long });
    expect(j.status).toBe(2);
    expect(JSON.parse(j.stdout).error).toEqual({
      name: "ValidationError",
      code: "ERR_INVALID_ARGUMENT",
      message: expect.stringContaining("NESLINK_AGENT: "),
      field: "NESLINK_AGENT",
    });
  });
});
