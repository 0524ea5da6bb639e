/**
 * Worker threads started short of descriptors. A thread's event loop opens
 * several (an epoll first): when a later one is refused, libuv leaves that
 * epoll open for the process's life, so every failed start leaked one. A pool
 * started so fails with a typed error naming the limit, and a worker replaced
 * so (its task timed out or was aborted, it died) does not take the pool down
 * or throw where no one catches: the work for it fails typed until there is
 * room, then it is started again. Each case is a script run under
 * `prlimit --nofile=64`, filling the table with all but `free` descriptors.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("pl");
const core = new URL("../../dist/index.js", import.meta.url).href;
const faults = new URL("../fixtures/faults.mjs", import.meta.url).pathname;
const started = join(tmpdir(), `${prefix}.started`);

afterAll(() => rmSync(started, { force: true }));

interface Failure {
  neslink: boolean;
  name: string;
  code: string;
  message: string;
}

/** Runs `body` (an async script's) under a limit of 64 descriptors; what it prints last, parsed. */
function underLimit<T>(body: string): T {
  const script = `
    import { closeSync, existsSync, openSync, readdirSync, readlinkSync, rmSync } from "node:fs";
    import * as m from ${JSON.stringify(core)};
    const described = (fd) => { try { return readlinkSync("/proc/self/fd/" + fd); } catch { return undefined; } };
    const open = () => new Map(readdirSync("/proc/self/fd").flatMap((fd) => { const d = described(fd); return d === undefined ? [] : [[fd, d]]; }));
    const failure = (err) => ({ neslink: m.NeslinkError.isInstance(err), name: err?.name, code: err?.code, message: err?.message });
    /** undefined if it resolves; its error otherwise; "unsettled" if it does not settle in 10 s. */
    const settled = (p) => Promise.race([
      p.then(() => undefined, failure),
      new Promise((resolve) => setTimeout(() => resolve("unsettled"), 10_000).unref()),
    ]);
    /** Every descriptor but \`free\` taken; returns them, to be closed. */
    const fill = (free) => {
      const fillers = [];
      try { for (;;) fillers.push(openSync("/dev/null", "r")); } catch {}
      for (let i = 0; i < free; i++) closeSync(fillers.pop());
      return fillers;
    };
    // A pool started and closed first: what the process opens once for good (libuv's pool) is not counted.
    const first = new m.Pool({ size: 2 });
    await first.ready();
    await first.close();
    ${body}`;
  const r = spawnSync("prlimit", ["--nofile=64:64", process.execPath, "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  // 13: Node's exit with a top-level await unsettled; 1, 7: an uncaught exception.
  expect(r.status, "the script ends by itself").toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
}

const emfile = { neslink: true, code: "EMFILE", message: expect.stringContaining("RLIMIT_NOFILE") };

it("a pool started short of descriptors fails with EMFILE naming the limit, and leaves nothing open", () => {
  const out = underLimit<{ free: number; error?: Failure | "unsettled"; left: string[] }[]>(`
    const before = open();
    const out = [];
    for (let free = 0; free < 40; free++) {
      const fillers = fill(free);
      let error;
      let pool;
      try {
        pool = new m.Pool({ size: 2 });
        error = await settled(pool.ready().then(() => m.nsDoOn(pool, m.ns.now(), m.na.links())));
      } catch (err) {
        error = failure(err);
      }
      for (const fd of fillers) closeSync(fd);
      await pool?.close();
      const left = [...open()].filter(([fd]) => !before.has(fd)).map(([fd, d]) => fd + " " + d);
      out.push({ free, error, left });
      if (!error) break;
    }
    console.log(JSON.stringify(out));`);
  const last = out.at(-1);
  expect(last?.error, "a start with room enough").toBeUndefined();
  expect(out.length).toBeGreaterThan(3);
  for (const a of out) {
    expect(a.left, `free ${a.free}`).toEqual([]);
    if (a !== last) expect(a.error, `free ${a.free}`).toMatchObject(emfile);
  }
});

it("a worker replaced short of descriptors: its work fails with EMFILE, nothing is thrown or left open, and it starts once there is room", () => {
  type Round = {
    free: number;
    aborted: Failure;
    whileShort?: Failure | "unsettled";
    queued?: Failure | "unsettled";
    after?: Failure | "unsettled";
  };
  const { out: rounds, left } = underLimit<{ out: Round[]; left: string[] }>(`
    const before = open();
    const pool = new m.Pool({ size: 1 });
    const out = [];
    for (let free = 0; free < 40; free++) {
      rmSync(${JSON.stringify(started)}, { force: true });
      const abort = new AbortController();
      const hung = settled(m.nsDoOn(pool, m.ns.now(), m.na.custom(${JSON.stringify(faults)}, "hangs", { started: ${JSON.stringify(started)} }), { signal: abort.signal }));
      // Sent to the same worker, not started when it is ended: it goes to the replacement (from the worker's exit handler).
      const queued = settled(m.nsDoOn(pool, m.ns.now(), m.na.links()));
      while (!existsSync(${JSON.stringify(started)})) await new Promise((resolve) => setTimeout(resolve, 10));
      const fillers = fill(free);
      // Ends the worker running it (a task started cannot be stopped otherwise), and replaces it: short of descriptors.
      abort.abort();
      const aborted = await hung;
      const whileShort = await settled(m.nsDoOn(pool, m.ns.now(), m.na.links()));
      const queuedError = await queued;
      for (const fd of fillers) closeSync(fd);
      const after = await settled(m.nsDoOn(pool, m.ns.now(), m.na.links()));
      out.push({ free, aborted, whileShort, queued: queuedError, after });
      if (!whileShort && !queuedError) break;
    }
    await pool.close();
    const left = [...open()].filter(([fd]) => !before.has(fd)).map(([fd, d]) => fd + " " + d);
    console.log(JSON.stringify({ out, left }));`);
  expect(left, "open after the pool is closed").toEqual([]);
  expect(
    rounds.some((r) => r.whileShort !== undefined || r.queued !== undefined),
    "some work came while the worker could not be started",
  ).toBe(true);
  const last = rounds.at(-1);
  expect(last?.whileShort ?? last?.queued, "a replacement with room enough").toBeUndefined();
  for (const r of rounds) {
    expect(r.aborted, `free ${r.free}`).toMatchObject({ neslink: true, name: "AbortedError" });
    for (const work of [r.whileShort, r.queued]) if (work !== undefined) expect(work, `free ${r.free}`).toMatchObject(emfile);
    expect(r.after, `free ${r.free}: work once there is room`).toBeUndefined();
  }
});

it("nsDo whose default pool cannot start rejects with EMFILE (not a throw), and starts it once there is room", () => {
  const out = underLimit<{ thrown?: Failure; rejected?: Failure | "unsettled"; after?: Failure | "unsettled"; left: string[] }>(`
    const before = open();
    const fillers = fill(0);
    let thrown;
    let rejected;
    try {
      rejected = await settled(m.nsDo(m.ns.now(), m.na.links()));
    } catch (err) {
      thrown = failure(err);
    }
    for (const fd of fillers) closeSync(fd);
    const after = await settled(m.nsDo(m.ns.now(), m.na.links()));
    await m.closeDefaultPool();
    const left = [...open()].filter(([fd]) => !before.has(fd)).map(([fd, d]) => fd + " " + d);
    console.log(JSON.stringify({ thrown, rejected, after, left }));`);
  expect(out).toEqual({ rejected: expect.objectContaining(emfile), left: [] });
});
