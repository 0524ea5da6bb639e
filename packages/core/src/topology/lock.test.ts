import { type ChildProcess, spawn, spawnSync } from "node:child_process";
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
const { identityOfPath } = await import("../ffi/identity.js");
const { flockHolder } = await import("../namespace/flocked.js");
/** Who /proc/locks says holds the flock on the file the path leads to now. */
const holderAt = (file: string) => flockHolder(identityOfPath(file));

const name = `lk${process.pid % 100000}`;
const path = `${LOCK_DIR}/${name}.lock`;
/** util-linux's flock holding the lock while its sleep runs: the sleep has the descriptor too. */
const heldByFlock = (seconds: string) => spawn("flock", [path, "sleep", seconds], { stdio: "ignore", detached: true });
/**
 * Ends flock and its sleep, and waits: a flock still dying when the next test begins holds that test's removed file
 * (failed 1 run in 4).
 */
async function ended(holder: ChildProcess): Promise<void> {
  const exited = new Promise((r) => holder.once("exit", r));
  process.kill(-(holder.pid as number), "SIGKILL");
  await exited;
}

afterEach(() => {
  race.armed = false;
  if (existsSync(path)) unlinkSync(path);
});

describe("a topology's lock", () => {
  it("remove() leaves no file; the next lock makes one and takes it", () => {
    lockTopology(name).remove();
    expect(existsSync(path)).toBe(false);
    const lock = lockTopology(name);
    expect(holderAt(path)).toBe(String(process.pid));
    // Nothing written into it: no data for ext4 to flush when it is closed.
    expect(readFileSync(path, "utf8")).toBe("");
    lock.release();
    expect(existsSync(path)).toBe(true);
    expect(holderAt(path)).toBe("");
  });

  it("held by another call of this process: said to be this process's, not another's named by this process's own pid", () => {
    const lock = lockTopology(name);
    try {
      expect(() => lockTopology(name)).toThrow(
        expect.objectContaining({
          code: "ERR_TOPOLOGY_LOCKED",
          message: `topology ${name} is being applied or destroyed by this process (pid ${process.pid}), in another of its calls`,
          topology: name,
          holder: String(process.pid),
        }),
      );
    } finally {
      lock.remove();
    }
  });

  it("a file removed and made anew between its open and its flock is not the lock: the path's new file is taken", () => {
    race.path = path;
    writeFileSync(path, "");
    race.armed = true;
    const lock = lockTopology(name);
    expect(race.armed).toBe(false);
    // Held on the file the path leads to now, not on the removed one.
    expect(holderAt(path)).toBe(String(process.pid));
    lock.remove();
  });

  it("a lock its holder still has when it has exited (a child it was forking) is waited for; a live holder's is refused at once", async () => {
    // util-linux's flock locks the shell's descriptor and exits; the shell leaves it to a child and exits too: the pid
    // /proc/locks gives is a process gone, the lock is still held.
    const holder = spawn("sh", ["-c", `exec 9>>${path}; flock 9; sleep 0.4 & exit 0`], { stdio: "ignore" });
    const shellExited = new Promise((r) => holder.once("exit", r));
    const held = () => spawnSync("flock", ["-n", path, "true"]).status !== 0;
    for (let i = 0; i < 100 && !held(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(held()).toBe(true);
    const started = Date.now();
    const lock = lockTopology(name);
    expect(Date.now() - started).toBeGreaterThan(100);
    lock.release();
    await shellExited;

    const live = heldByFlock("2");
    for (let i = 0; i < 100 && !held(); i++) await new Promise((r) => setTimeout(r, 10));
    const at = Date.now();
    // Named by the pid /proc/locks gives and its command line: util-linux's flock, which took it and waits for its sleep.
    expect(() => lockTopology(name)).toThrow(
      expect.objectContaining({
        code: "ERR_TOPOLOGY_LOCKED",
        message: expect.stringContaining(`(pid ${live.pid}: flock ${path} sleep 2)`),
      }),
    );
    expect(Date.now() - at).toBeLessThan(1000);
    await ended(live);
  });

  it("a lock file removed by hand while held: a second lock is refused, naming the holder, not taken on the path's new file", async () => {
    const live = heldByFlock("30");
    try {
      const held = () => holderAt(path) === String(live.pid);
      for (let i = 0; i < 200 && !(existsSync(path) && held()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(held()).toBe(true);
      unlinkSync(path);
      const refused = expect.objectContaining({
        code: "ERR_TOPOLOGY_LOCKED",
        message: expect.stringContaining(`(pid ${live.pid}: flock ${path} sleep 30)`),
      });
      expect(() => lockTopology(name)).toThrow(refused);
      // Again, with the file the refused try left at the path.
      expect(() => lockTopology(name)).toThrow(refused);
      expect(holderAt(path)).toBe("");
    } finally {
      await ended(live);
    }
  });

  it("removed by hand while this process holds it: refused too; the holder's remove() leaves the path's new file alone", () => {
    const lock = lockTopology(name);
    unlinkSync(path);
    expect(() => lockTopology(name)).toThrow(
      // Held by this process: said to be, not "another process" named with its own pid.
      expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED", message: expect.stringContaining(`by this process (pid ${process.pid})`) }),
    );
    const theirs = identityOfPath(path);
    lock.remove();
    expect(identityOfPath(path)).toEqual(theirs);
    // Let go: the next lock takes the path's file.
    lockTopology(name).remove();
    expect(existsSync(path)).toBe(false);
  });
});
