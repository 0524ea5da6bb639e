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
});
