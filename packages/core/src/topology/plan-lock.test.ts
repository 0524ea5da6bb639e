import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { endGroup } from "../../test/integration/kernel.js";
import { LOCK_DIR, lockTopology } from "./lock.js";
import { unlockedBefore, unlockedSince } from "./plan-lock.js";

const name = `pk${process.pid % 100000}`;
const other = `${name}o`;
const path = (lab: string) => `${LOCK_DIR}/${lab}.lock`;
/** How long a holder may take to start and lock, or to be gone: a spawn took 1.7 s on a loaded 2-core machine. */
const LOADED_MACHINE = { timeout: 15_000, interval: 10 };
/** Whether the lock is held (util-linux's flock cannot take it at once). */
const held = () => spawnSync("flock", ["-n", path(name), "true"]).status !== 0;

/** util-linux's flock holding the lab's lock (its sleep has the descriptor too) until ended, in a group of its own. */
async function holder(): Promise<ChildProcess> {
  const child = spawn("flock", [path(name), "sleep", "30"], { stdio: "ignore", detached: true });
  await vi.waitFor(() => expect(held()).toBe(true), LOADED_MACHINE);
  return child;
}

const meanwhile = expect.objectContaining({
  code: "ERR_TOPOLOGY_LOCKED",
  holder: "",
  message: `topology ${name} was being applied or destroyed while this plan read it (by another process, or another call of this one): plan again`,
});

afterEach(() => {
  for (const lab of [name, other]) if (existsSync(path(lab))) unlinkSync(path(lab));
});

describe("a lock's mark", () => {
  it("moves forward with every taking, twice in one second too; the file stays empty", () => {
    lockTopology(name).release();
    const first = statSync(path(name), { bigint: true }).mtimeNs;
    lockTopology(name).release();
    const second = statSync(path(name), { bigint: true }).mtimeNs;
    lockTopology(name).release();
    const third = statSync(path(name), { bigint: true }).mtimeNs;
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    expect(readFileSync(path(name), "utf8")).toBe("");
  });
});

describe("what a plan checks of its lab's lock", () => {
  it("untouched, or another lab's lock taken and let go meanwhile: nothing to refuse", () => {
    mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
    writeFileSync(path(name), "");
    unlockedSince(name, unlockedBefore(name));
    const mark = unlockedBefore(name);
    lockTopology(other).release();
    lockTopology(other).remove();
    unlockedSince(name, mark);
    // No lock file, before or after: nothing was under way.
    unlinkSync(path(name));
    unlockedSince(name, unlockedBefore(name));
  });

  it("held when the plan begins: refused at once, naming the holder", async () => {
    const live = await holder();
    try {
      expect(() => unlockedBefore(name)).toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED", holder: String(live.pid) }));
    } finally {
      await endGroup(live);
    }
  });

  it("taken and let go meanwhile (missed by a reading before and one after): refused", () => {
    lockTopology(name).release();
    const mark = unlockedBefore(name);
    lockTopology(name).release();
    expect(held()).toBe(false);
    expect(() => unlockedSince(name, mark)).toThrow(meanwhile);
  });

  it("taken meanwhile on a file made then (none when the plan began), or the file removed meanwhile: refused", () => {
    const none = unlockedBefore(name);
    expect(none).toBe(undefined);
    lockTopology(name).release();
    expect(() => unlockedSince(name, none)).toThrow(meanwhile);
    const mark = unlockedBefore(name);
    // A destroy's end.
    lockTopology(name).remove();
    expect(() => unlockedSince(name, mark)).toThrow(meanwhile);
  });

  it("taken meanwhile and still held: refused, naming its holder", () => {
    lockTopology(name).release();
    const mark = unlockedBefore(name);
    const lock = lockTopology(name);
    try {
      expect(() => unlockedSince(name, mark)).toThrow(
        expect.objectContaining({
          code: "ERR_TOPOLOGY_LOCKED",
          holder: String(process.pid),
          message: expect.stringContaining("this process"),
        }),
      );
    } finally {
      lock.release();
    }
  });
});
