import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";

// The race a destroy's removal of the lock file opens: between another process's open of the file and its flock, the
// holder removes the file and a third process makes a new one. Simulated inside the flock, once.
const race = vi.hoisted(() => ({ path: "", armed: false }));
vi.mock("../ffi/libc.js", async (original) => {
  const libc = await original<typeof import("../ffi/libc.js")>();
  return {
    ...libc,
    tryLock(fd: number, operation: number): boolean {
      if (race.armed) {
        race.armed = false;
        unlinkSync(race.path);
        writeFileSync(race.path, "someone else's\n");
      }
      return libc.tryLock(fd, operation);
    },
  };
});

const { LOCK_DIR, lockTopology } = await import("./lock.js");

const name = `lk${process.pid % 100000}`;
const path = `${LOCK_DIR}/${name}.lock`;
afterEach(() => {
  race.armed = false;
  if (existsSync(path)) unlinkSync(path);
});

describe("a topology's lock", () => {
  it("remove() leaves no file; the next lock makes one and takes it", () => {
    lockTopology(name).remove();
    expect(existsSync(path)).toBe(false);
    const lock = lockTopology(name);
    expect(readFileSync(path, "utf8")).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(path)).toBe(true);
  });

  it("a file removed and made anew between its open and its flock is not the lock: the path's new file is taken", () => {
    race.path = path;
    writeFileSync(path, "");
    race.armed = true;
    const lock = lockTopology(name);
    expect(race.armed).toBe(false);
    // The pid is in the file the path leads to now, not in the removed one.
    expect(readFileSync(path, "utf8")).toBe(`${process.pid}\n`);
    lock.remove();
  });

  it("a lock its holder still has when it has exited (a child it was forking) is waited for; a live holder's is refused at once", async () => {
    // util-linux's flock holds the file's lock for a while; the pid in the file is one no process has (above pid_max).
    writeFileSync(path, "999999999\n");
    const holder = spawn("flock", [path, "sleep", "0.4"], { stdio: "ignore" });
    const held = () => spawnSync("flock", ["-n", path, "true"]).status !== 0;
    for (let i = 0; i < 100 && !held(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(held()).toBe(true);
    const started = Date.now();
    const lock = lockTopology(name);
    expect(Date.now() - started).toBeGreaterThan(100);
    lock.release();
    await new Promise((r) => holder.once("exit", r));

    writeFileSync(path, `${process.pid}\n`);
    const live = spawn("flock", [path, "sleep", "2"], { stdio: "ignore" });
    for (let i = 0; i < 100 && !held(); i++) await new Promise((r) => setTimeout(r, 10));
    const at = Date.now();
    expect(() => lockTopology(name)).toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED" }));
    expect(Date.now() - at).toBeLessThan(100);
    live.kill();
  });
});
