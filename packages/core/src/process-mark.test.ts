import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { killed, scratch } from "../test/scratch.js";
import { holdMark, markHolders, markSelf } from "./process-mark.js";

const files = scratch("mark");

/** Another process holding a shared flock on `path` (as a second agent would) until it is killed. */
async function otherHolder(path: string): Promise<ChildProcess> {
  const code = "import fcntl,sys,time\nf=open(sys.argv[1])\nfcntl.flock(f,fcntl.LOCK_SH)\nprint('held',flush=True)\ntime.sleep(600)";
  const proc = spawn("python3", ["-c", code, path], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((held) => proc.stdout?.once("data", held));
  return proc;
}

describe("process marks", () => {
  it("name every process holding one, and no longer one that let go or exited", async () => {
    const path = join(files.dir, "agents.lock");
    expect(markHolders(path)).toEqual([]);
    const release = holdMark(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(markHolders(path)).toEqual([String(process.pid)]);
    const child = await otherHolder(path);
    files.child = child;
    expect(markHolders(path).sort()).toEqual([String(process.pid), String(child.pid)].sort());
    release();
    release();
    expect(markHolders(path)).toEqual([String(child.pid)]);
    await killed(child);
    expect(markHolders(path)).toEqual([]);
  });

  it("refuse a path that is not absolute (a typed error naming it), and a symlink in the file's place", () => {
    expect(() => holdMark("agents.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
    expect(() => markHolders("agents.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
    const target = join(files.dir, "target");
    writeFileSync(target, "");
    symlinkSync(target, join(files.dir, "link"));
    expect(() => holdMark(join(files.dir, "link"))).toThrow(expect.objectContaining({ code: "ELOOP" }));
    // A mark held on the file a symlink leads to is not the symlink's.
    const release = holdMark(target);
    try {
      expect(markHolders(join(files.dir, "link"))).toEqual([]);
    } finally {
      release();
    }
  });

  it("are held by markSelf with their directory made, or not at all where it cannot be (the process works the same)", () => {
    const path = join(files.dir, "run", "neslink", "servers.lock");
    const release = markSelf(path);
    expect(statSync(join(files.dir, "run", "neslink")).mode & 0o777).toBe(0o700);
    expect(markHolders(path)).toEqual([String(process.pid)]);
    release();
    expect(markHolders(path)).toEqual([]);
    // A file where its directory would be: no mark, no throw, nothing made.
    writeFileSync(join(files.dir, "file"), "");
    const none = markSelf(join(files.dir, "file", "servers.lock"));
    none();
    expect(readdirSync(files.dir).sort()).toEqual(["file", "run"]);
    expect(() => markSelf("servers.lock")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "path" }));
  });
});
