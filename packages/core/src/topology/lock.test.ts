import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { groupLeft, runs } from "../../test/processes.js";

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

const { LOCK_DIR, lockTopology, lockTopologyReading } = await import("./lock.js");
const { identityOfPath } = await import("../ffi/identity.js");
const { flockHolder } = await import("../namespace/flocked.js");
/** Who /proc/locks says holds the flock on the file the path leads to now. */
const holderAt = (file: string) => flockHolder(identityOfPath(file));

const name = `lk${process.pid % 100000}`;
const path = `${LOCK_DIR}/${name}.lock`;
/** util-linux's flock holding the lock while its sleep runs: the sleep has the descriptor too. */
const heldByFlock = (seconds: string) => spawn("flock", [path, "sleep", seconds], { stdio: "ignore", detached: true });
/**
 * Ends flock and its sleep, and waits for both: a holder still dying when the next test begins holds that test's
 * removed file (failed 1 run in 4). flock's exit is not enough: its sleep, killed with it, had not yet exited in 22 of
 * 100 tries, and still held the lock in 1.
 */
async function ended(holder: ChildProcess): Promise<void> {
  const group = holder.pid as number;
  const exited = holder.exitCode === null && holder.signalCode === null ? once(holder, "exit") : undefined;
  process.kill(-group, "SIGKILL");
  await exited;
  await vi.waitFor(() => expect(groupLeft(group)).toBe(false), LOADED_MACHINE);
}

/** Whether the lock is held (util-linux's flock cannot take it at once). */
const held = () => spawnSync("flock", ["-n", path, "true"]).status !== 0;
/** How long a holder may take to start and lock, or to be gone: a spawn took 1.7 s on a loaded 2-core machine. */
const LOADED_MACHINE = { timeout: 15_000, interval: 10 };

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
    // /proc/locks gives is a process gone, the lock is still held, until the child's sleep ends (within RELEASE_MS).
    // Asked for while that sleep runs: a test stalled past it (a loaded machine) would find the lock free, so tries again.
    for (let attempt = 1; ; attempt++) {
      const shell = spawn("sh", ["-ec", `exec 9>>${path}; flock 9; sleep 1 & echo $!; exit 0`], { stdio: ["ignore", "pipe", "ignore"] });
      const [shellExited, said] = [once(shell, "exit"), once(shell.stdout, "data")];
      const sleeper = Number(String((await said)[0]).trim());
      await shellExited;
      try {
        if (!runs(sleeper)) {
          expect(attempt, "the sleep had ended before the lock was asked for, each time").toBeLessThan(5);
          continue;
        }
        lockTopology(name).release();
        break;
      } finally {
        // Not this process's child (the shell's): ended and looked at until gone, so no next test meets it holding the file.
        if (runs(sleeper)) process.kill(sleeper, "SIGKILL");
        await vi.waitFor(() => expect(runs(sleeper)).toBe(false), LOADED_MACHINE);
      }
    }

    const live = heldByFlock("30");
    try {
      await vi.waitFor(() => expect(held()).toBe(true), LOADED_MACHINE);
      const at = Date.now();
      // Named by the pid /proc/locks gives and its command line: util-linux's flock, which took it and waits for its sleep.
      expect(() => lockTopology(name)).toThrow(
        expect.objectContaining({
          code: "ERR_TOPOLOGY_LOCKED",
          message: expect.stringContaining(`(pid ${live.pid}: flock ${path} sleep 30)`),
        }),
      );
      // Not waited for as an exited holder's is (RELEASE_MS, 2 s).
      expect(Date.now() - at).toBeLessThan(1000);
    } finally {
      await ended(live);
    }
  });

  it("a lock file removed by hand while held: a second lock is refused, naming the holder, not taken on the path's new file", async () => {
    const live = heldByFlock("30");
    try {
      await vi.waitFor(() => expect(existsSync(path) && holderAt(path) === String(live.pid)).toBe(true), LOADED_MACHINE);
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

  it("taken for reading first (apply): at once; a removed file's live holder refuses it when the look is over", async () => {
    const lock = lockTopologyReading(name);
    await lock.unshared;
    expect(holderAt(path)).toBe(String(process.pid));
    lock.release();

    const live = heldByFlock("30");
    try {
      await vi.waitFor(() => expect(existsSync(path) && holderAt(path) === String(live.pid)).toBe(true), LOADED_MACHINE);
      unlinkSync(path);
      // Taken on the path's new file, which no one held, with the removed one's holder found off the thread.
      const taken = lockTopologyReading(name);
      try {
        expect(holderAt(path)).toBe(String(process.pid));
        await expect(taken.unshared).rejects.toThrow(
          expect.objectContaining({
            code: "ERR_TOPOLOGY_LOCKED",
            message: expect.stringContaining(`(pid ${live.pid}: flock ${path} sleep 30)`),
          }),
        );
      } finally {
        taken.release();
      }
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
