import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { holdMark, markHolders, markSelf } from "./process-mark.js";

let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "neslink-mark-"));
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Another process holding a shared flock on `path` (as a second agent would) until it is killed. */
async function otherHolder(path: string): Promise<ChildProcess> {
  const code = "import fcntl,sys,time\nf=open(sys.argv[1])\nfcntl.flock(f,fcntl.LOCK_SH)\nprint('held',flush=True)\ntime.sleep(600)";
  const proc = spawn("python3", ["-c", code, path], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((held) => proc.stdout?.once("data", held));
  return proc;
}

describe("process marks", () => {
  it("name every process holding one, and no longer one that let go or exited", async () => {
    const path = join(dir, "agents.lock");
    expect(markHolders(path)).toEqual([]);
    const release = holdMark(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(markHolders(path)).toEqual([String(process.pid)]);
    child = await otherHolder(path);
    expect(markHolders(path).sort()).toEqual([String(process.pid), String(child.pid)].sort());
    release();
    release();
    expect(markHolders(path)).toEqual([String(child.pid)]);
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(markHolders(path)).toEqual([]);
  });

  it("refuse a path that is not absolute (a typed error naming it), and a symlink in the file's place", () => {
    expect(() => holdMark("agents.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
    expect(() => markHolders("agents.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
    const target = join(dir, "target");
    writeFileSync(target, "");
    symlinkSync(target, join(dir, "link"));
    expect(() => holdMark(join(dir, "link"))).toThrow(expect.objectContaining({ code: "ELOOP" }));
    // A mark held on the file a symlink leads to is not the symlink's.
    const release = holdMark(target);
    try {
      expect(markHolders(join(dir, "link"))).toEqual([]);
    } finally {
      release();
    }
  });

  it("are held by markSelf with their directory made, or not at all where it cannot be (the process works the same)", () => {
    const path = join(dir, "run", "neslink", "servers.lock");
    const release = markSelf(path);
    expect(statSync(join(dir, "run", "neslink")).mode & 0o777).toBe(0o700);
    expect(markHolders(path)).toEqual([String(process.pid)]);
    release();
    expect(markHolders(path)).toEqual([]);
    // A file where its directory would be: no mark, no throw, nothing made.
    writeFileSync(join(dir, "file"), "");
    const none = markSelf(join(dir, "file", "servers.lock"));
    none();
    expect(readdirSync(dir).sort()).toEqual(["file", "run"]);
    expect(() => markSelf("servers.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
  });
});
