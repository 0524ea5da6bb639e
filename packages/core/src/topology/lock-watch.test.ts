import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { groupLeft } from "../../test/processes.js";

// A process out of inotify instances (or descriptors): the watch cannot be set, and the plan checks as it did.
const inotify = vi.hoisted(() => ({ refuse: false }));
vi.mock("../ffi/libc.js", async (original) => {
  const libc = await original<typeof import("../ffi/libc.js")>();
  return {
    ...libc,
    inotifyInit(): number {
      if (inotify.refuse) throw Object.assign(new Error("inotify_init1: EMFILE"), { code: "EMFILE" });
      return libc.inotifyInit();
    },
  };
});

const { LOCK_DIR, lockTopology } = await import("./lock.js");
const { watchLock } = await import("./lock-watch.js");

const name = `lw${process.pid % 100000}`;
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

/** Ends the holder and its sleep, and waits until neither is left (a dying one still holds the lock). */
async function ended(child: ChildProcess): Promise<void> {
  const group = child.pid as number;
  const exited = child.exitCode === null && child.signalCode === null ? once(child, "exit") : undefined;
  process.kill(-group, "SIGKILL");
  await exited;
  await vi.waitFor(() => expect(groupLeft(group)).toBe(false), LOADED_MACHINE);
}

const meanwhile = expect.objectContaining({
  code: "ERR_TOPOLOGY_LOCKED",
  holder: "",
  message: `topology ${name} was being applied or destroyed while this plan read it (by another process, or another call of this one): plan again`,
});

afterEach(() => {
  inotify.refuse = false;
  for (const lab of [name, other]) if (existsSync(path(lab))) unlinkSync(path(lab));
});

describe("a plan's watch on its lab's lock", () => {
  it("untouched, or another lab's lock taken and let go meanwhile: settles", async () => {
    mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
    writeFileSync(path(name), "");
    await watchLock(name).settle();
    const watch = watchLock(name);
    lockTopology(other).release();
    lockTopology(other).remove();
    await watch.settle();
  });

  it("a lock taken and let go after it began (caught by neither reading of /proc/locks): refused", async () => {
    const watch = watchLock(name);
    lockTopology(name).release();
    expect(held()).toBe(false);
    await expect(watch.settle()).rejects.toThrow(meanwhile);
  });

  it("a lock file removed meanwhile (a destroy ends so): refused", async () => {
    lockTopology(name).release();
    const watch = watchLock(name);
    unlinkSync(path(name));
    await expect(watch.settle()).rejects.toThrow(meanwhile);
  });

  it("a lock held when it began and let go meanwhile: refused", async () => {
    const live = await holder();
    let watch: ReturnType<typeof watchLock>;
    try {
      watch = watchLock(name);
    } finally {
      await ended(live);
    }
    await expect(watch.settle()).rejects.toThrow(meanwhile);
  });

  it("a lock taken meanwhile and still held: refused, naming its holder", async () => {
    lockTopology(name).release();
    const watch = watchLock(name);
    const live = await holder();
    try {
      await expect(watch.settle()).rejects.toThrow(
        expect.objectContaining({
          code: "ERR_TOPOLOGY_LOCKED",
          holder: String(live.pid),
          message: expect.stringContaining(`(pid ${live.pid}: flock`),
        }),
      );
    } finally {
      await ended(live);
    }
  });

  it("two plans at once: each hears what happened after it began, not before", async () => {
    const first = watchLock(name);
    lockTopology(name).release();
    const second = watchLock(name);
    const third = watchLock(other);
    await second.settle();
    await expect(first.settle()).rejects.toThrow(meanwhile);
    lockTopology(other).release();
    await expect(third.settle()).rejects.toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED", topology: other }));
    // The instance went with its last plan: the next one makes its own, and hears what happens then.
    const fourth = watchLock(name);
    lockTopology(name).release();
    await expect(fourth.settle()).rejects.toThrow(meanwhile);
  });

  it("no watch to be had: the lock is checked at once, and again at the end", async () => {
    inotify.refuse = true;
    const live = await holder();
    try {
      expect(() => watchLock(name)).toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED", holder: String(live.pid) }));
    } finally {
      await ended(live);
    }
    const watch = watchLock(name);
    const again = await holder();
    try {
      await expect(watch.settle()).rejects.toThrow(expect.objectContaining({ code: "ERR_TOPOLOGY_LOCKED", holder: String(again.pid) }));
    } finally {
      await ended(again);
    }
  });
});
