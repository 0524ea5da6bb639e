/**
 * No action can break the pool: user code that returns what cannot cross
 * threads, throws non-errors, exits the thread, never settles or leaves the
 * thread in another namespace fails its own task alone; the pool goes on,
 * replaces what it must, and leaves no descriptor behind.
 */
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError, ActionError, la, linkDoOn, lp, na, ns, nsDoOn, Pool, PoolError, TimeoutError, ValidationError } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cleanup, FAIL_AFTER_MS, fdCount, inodeOf, ip, linksIn, socketNamespaceInodes, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("pf");
const target = `${prefix}a`;
const faults = new URL("../fixtures/faults.mjs", import.meta.url).pathname;
const hostNs = readlinkSync("/proc/self/ns/net");
const scratch = mkdtempSync(join(tmpdir(), `${prefix}-`));

beforeAll(() => ip("netns", "add", target));
afterAll(() => {
  cleanup(prefix);
  rmSync(scratch, { recursive: true, force: true });
});

/** A one-worker pool, so every task of a test shares (and can break) the same thread. */
function onePool(): Pool {
  return new Pool({ size: 1 });
}

/**
 * What a task timed out on `pool` while it ran gives: `task(timeoutMs)`, tried again with twice the time while its
 * timeout came before the worker had started it (the pool then keeps the worker: a loaded machine made a fixed
 * 200 ms miss a fresh worker's start). A pool that never ends a worker at a timeout fails after ~30 s.
 */
async function timedOutRunning(pool: Pool, task: (timeoutMs: number) => Promise<unknown>): Promise<unknown> {
  const before = pool.replacedWorkers;
  for (let timeoutMs = 200; ; timeoutMs *= 2) {
    const err = await task(timeoutMs).catch((e) => e);
    if (pool.replacedWorkers !== before || timeoutMs >= 16_000) return err;
    expect(err).toBeInstanceOf(TimeoutError);
  }
}

/** The next task runs, on a working thread in the host namespace. */
async function stillWorks(pool: Pool): Promise<void> {
  const { results, returned } = await nsDoOn(pool, ns.now(), na.handle());
  expect(returned).toBe(true);
  expect(`net:[${results[0].ino}]`).toBe(hostNs);
  results[0].close();
}

describe("results and throws", () => {
  const pool = onePool();
  afterAll(() => pool.close());

  it("a null action is refused before anything runs, naming its place", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the bad input a JavaScript caller can pass
    const err = await nsDoOn(pool, ns.now(), na.links(), null as any).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe("actions[1]");
    await stillWorks(pool);
  });

  it("a null action that reaches the worker fails that task alone", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: past nsDo's checks, straight to the pool
    const outcome = await pool.run(ns.now(), [null as any]);
    expect(outcome.error?.message).toMatch(/null/);
    await stillWorks(pool);
    expect(pool.replacedWorkers).toBe(0);
  });

  it("a result that cannot cross threads is that action's typed error", async () => {
    for (const name of ["returnsFunction", "returnsSymbol"]) {
      const err = await nsDoOn(pool, ns.now(), na.links(), na.custom(faults, name)).catch((e) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect(err.actionIndex).toBe(1);
      expect(err.cause).toBeInstanceOf(ValidationError);
      expect(err.cause.field).toBe("result");
    }
    await stillWorks(pool);
    expect(pool.replacedWorkers).toBe(0);
  });

  it("a thrown non-error is that action's error", async () => {
    const err = await nsDoOn(pool, ns.name(target), na.custom(faults, "throwsUndefined")).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.actionIndex).toBe(0);
    expect(err.returned).toBe(true);
    await stillWorks(pool);
    expect(pool.replacedWorkers).toBe(0);
  });

  it("a thrown object that String() cannot convert is that action's error too, said as its JSON", async () => {
    const err = await nsDoOn(pool, ns.name(target), na.links(), na.custom(faults, "throwsBareObject")).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err).toMatchObject({ code: "ERR_ACTION_FAILED", actionIndex: 1, message: '{"reason":"bare"} (action #1: custom)' });
    await stillWorks(pool);
    expect(pool.replacedWorkers).toBe(0);
  });
});

describe("a worker that dies in user code", () => {
  it.each([70, 3, 0])("process.exit(%i) fails the task it ran; tasks queued behind it run on the replacement", async (code) => {
    const pool = onePool();
    try {
      const mark = join(scratch, `after-exit-${code}`);
      const [before, exiting, after] = await Promise.allSettled([
        nsDoOn(pool, ns.now(), na.links()),
        nsDoOn(pool, ns.name(target), na.custom(faults, "exits", { code })),
        nsDoOn(pool, ns.now(), na.custom(faults, "touch", { path: mark })),
      ]);
      expect(before.status).toBe("fulfilled");
      expect(exiting.status).toBe("rejected");
      const err = (exiting as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(PoolError);
      expect(err.message).toContain(`code ${code}`);
      expect(after.status).toBe("fulfilled");
      expect(existsSync(mark)).toBe(true);
      // Replaced once, not respawned in a loop.
      await new Promise((r) => setTimeout(r, 300));
      expect(pool.replacedWorkers).toBe(1);
      await stillWorks(pool);
    } finally {
      await pool.close();
    }
  });
});

it("handles already given to the caller survive the death of the worker that opened them", async () => {
  const pool = onePool();
  try {
    const ino = inodeOf(`/run/netns/${target}`);
    const { results } = await nsDoOn(pool, ns.name(target), na.handle());
    const created = await nsDoOn(pool, ns.create(), na.links());
    const [handle] = results;
    const made = created.created;
    if (!made) throw new Error("ns.create() gave no handle");
    // A task that started after the handles were handed out kills the worker.
    await nsDoOn(pool, ns.now(), na.custom(faults, "exits", { code: 70 })).catch(() => {});
    await pool.ready();
    // Still open, still on their namespaces, and usable.
    expect(readlinkSync(`/proc/self/fd/${handle.fd}`)).toBe(`net:[${ino}]`);
    expect(readlinkSync(`/proc/self/fd/${made.fd}`)).toBe(`net:[${made.ino}]`);
    const inside = await nsDoOn(pool, ns.handle(made), na.links());
    expect(inside.results[0].map((l) => l.name)).toEqual(["lo"]);
    handle.close();
    made.close();
  } finally {
    await pool.close();
  }
});

describe("timeouts and aborts", () => {
  it("a task past its timeout fails with ERR_TIMEOUT; its worker is ended and replaced, its descriptors closed", async () => {
    const pool = onePool();
    try {
      await pool.ready();
      const fdsBefore = fdCount();
      const ino = inodeOf(`/run/netns/${target}`);
      // The worker now holds a descriptor and a netlink socket for the namespace, opened through koffi.
      await nsDoOn(pool, ns.name(target), na.links());
      expect(socketNamespaceInodes()).toContain(ino);
      expect(descriptorsOn(`/run/netns/${target}`)).toHaveLength(1);
      const err = (await timedOutRunning(pool, (timeoutMs) =>
        nsDoOn(pool, ns.name(target), na.custom(faults, "hangs"), { timeoutMs }),
      )) as TimeoutError;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.code).toBe("ERR_TIMEOUT");
      expect(pool.replacedWorkers).toBe(1);
      await pool.ready();
      // Once the ended worker is gone, nothing it opened is left: the replacement, idle, has what the first had. Its
      // thread's end is not awaited by anything here: waited for, as long as a loaded machine may take.
      await vi.waitFor(() => expect(fdCount()).toBe(fdsBefore), { timeout: FAIL_AFTER_MS });
      expect(socketNamespaceInodes()).not.toContain(ino);
      expect(descriptorsOn(`/run/netns/${target}`)).toHaveLength(0);
      // The namespace's work goes on, on the replacement.
      const { results } = await nsDoOn(pool, ns.name(target), na.links());
      expect(results[0].map((l) => l.name)).toContain("lo");
    } finally {
      await pool.close();
    }
  });

  it("linkDo takes the same options after its link actions", async () => {
    const pool = onePool();
    try {
      const err = await linkDoOn(pool, ns.name(target), lp.name("lo"), la.custom(faults, "hangs"), { timeoutMs: 200 }).catch((e) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      const { link } = await linkDoOn(pool, ns.name(target), lp.name("lo"), la.up(), { timeoutMs: 5000 });
      expect(link.name).toBe("lo");
      expect(linksIn(target).find((l) => l.ifname === "lo")?.flags).toContain("UP");
    } finally {
      await pool.close();
    }
  });

  it("a task spinning on the CPU is ended too", async () => {
    const pool = onePool();
    try {
      const err = await timedOutRunning(pool, (timeoutMs) => nsDoOn(pool, ns.now(), na.custom(faults, "spins"), { timeoutMs }));
      expect(err).toBeInstanceOf(TimeoutError);
      await stillWorks(pool);
      expect(pool.replacedWorkers).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("a task timed out before it started never runs, and its worker is kept", async () => {
    const pool = onePool();
    try {
      const mark = join(scratch, "never");
      // The worker is held until the queued task has timed out (not for 400 ms, which a stalled test could outlast).
      const door = join(scratch, "slow-door");
      const slow = nsDoOn(pool, ns.now(), na.custom(faults, "waitsFor", { path: door }));
      const queued = nsDoOn(pool, ns.now(), na.custom(faults, "touch", { path: mark }), { timeoutMs: 100 }).catch((e) => e);
      expect(await queued).toBeInstanceOf(TimeoutError);
      writeFileSync(door, "");
      expect((await slow).results).toEqual(["released"]);
      await stillWorks(pool);
      expect(existsSync(mark)).toBe(false);
      expect(pool.replacedWorkers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("an AbortSignal fails the task with ERR_ABORTED and ends its worker; an aborted one never starts", async () => {
    const pool = onePool();
    try {
      const controller = new AbortController();
      const started = join(scratch, "hung-started");
      const hung = nsDoOn(pool, ns.name(target), na.custom(faults, "hangs", { started }), { signal: controller.signal }).catch((e) => e);
      // Aborted once it runs: only then is its worker ended (before, it would simply never start).
      await vi.waitFor(() => expect(existsSync(started)).toBe(true), { timeout: 10_000 });
      controller.abort();
      const err = await hung;
      expect(err).toBeInstanceOf(AbortedError);
      expect(err.code).toBe("ERR_ABORTED");
      expect(pool.replacedWorkers).toBe(1);
      const mark = join(scratch, "aborted");
      const early = await nsDoOn(pool, ns.now(), na.custom(faults, "touch", { path: mark }), { signal: AbortSignal.abort() }).catch(
        (e) => e,
      );
      expect(early).toBeInstanceOf(AbortedError);
      await stillWorks(pool);
      expect(existsSync(mark)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it("bad options are refused by name", async () => {
    const pool = onePool();
    try {
      const err = await nsDoOn(pool, ns.now(), na.links(), { timeoutMs: -1 }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.field).toBe("options.timeoutMs");
      // biome-ignore lint/suspicious/noExplicitAny: a misspelt option from JavaScript
      const typo = await nsDoOn(pool, ns.now(), na.links(), { timeout: 5 } as any).catch((e) => e);
      expect(typo.field).toBe("options.timeout");
    } finally {
      await pool.close();
    }
  });
});

it("close() returns within its grace period even when a task never settles, and fails that task", async () => {
  const pool = onePool();
  const running = join(scratch, "hung-at-close");
  const hung = nsDoOn(pool, ns.now(), na.custom(faults, "hangs", { started: running })).catch((e) => e);
  // Running when close comes (not 100 ms after it was sent: a loaded machine had its worker still loading).
  expect(await until(() => existsSync(running), FAIL_AFTER_MS)).toBe(true);
  const started = Date.now();
  await pool.close({ graceMs: 200 });
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(await hung).toBeInstanceOf(PoolError);
});

it("a thread left in another namespace after its task is found before the next one, ended, and the next task runs elsewhere", async () => {
  const pool = onePool();
  try {
    const { results } = await nsDoOn(pool, ns.now(), na.custom(faults, "strayLater", { path: `/run/netns/${target}` }));
    expect(results).toEqual(["scheduled"]);
    // Once the thread has strayed (its timer ran), not 100 ms later: before, the next task would have found it home.
    const ino = `net:[${inodeOf(`/run/netns/${target}`)}]`;
    const strayed = () => readdirSync("/proc/self/task").some((tid) => readlinkSync(`/proc/self/task/${tid}/ns/net`) === ino);
    expect(await until(strayed, FAIL_AFTER_MS)).toBe(true);
    await stillWorks(pool);
    expect(pool.replacedWorkers).toBe(1);
  } finally {
    await pool.close();
  }
});

/** This process's descriptors open on `path` (a named namespace's file reads back as its path, not "net:[ino]"). */
function descriptorsOn(path: string): string[] {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}
