/**
 * watch() started with too few descriptors left. Each descriptor a start
 * needs (its wake-up eventfd, the listener thread's event loop, its sockets,
 * its code's files) can be the one refused (EMFILE): whichever it is, the
 * start fails with a typed error naming the limit, and nothing it opened stays
 * open (descriptors, or the inotify watch of a `{ named: true }` dir). Each
 * case is a script run under `prlimit --nofile=64`, filling the table with all
 * but `free` descriptors, for `free` from 0 up to a start that succeeds.
 */
import { spawnSync } from "node:child_process";
import { ns, nsDo } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("wl");
const dir = privateMountDir(prefix);
const core = new URL("../../dist/index.js", import.meta.url).href;

beforeAll(async () => {
  await nsDo(ns.createNamed(`${prefix}a`));
  await nsDo(ns.createNamed(`${prefix}b`, dir));
});
afterAll(() => {
  removeMountDir(dir);
  cleanup(prefix);
});

interface Attempt {
  free: number;
  error?: { neslink: boolean; code: string; message: string };
  /** Descriptors open after the attempt (closed, its fillers closed) that were not before the first. */
  left: string[];
  /** inotify watches more than before the first attempt. */
  watches: number;
}

/** Starts of a watch of `targets` (an expression of the script) with 0, 1, 2... descriptors free, up to one that succeeds. */
function attempts(targets: string): Attempt[] {
  const script = `
    import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
    import * as m from ${JSON.stringify(core)};
    const targets = ${targets};
    const described = (fd) => { try { return readlinkSync("/proc/self/fd/" + fd); } catch { return undefined; } };
    const open = () => new Map(readdirSync("/proc/self/fd").flatMap((fd) => { const d = described(fd); return d === undefined ? [] : [[fd, d]]; }));
    const watches = () => [...open().keys()].reduce((n, fd) => {
      try { return n + (readFileSync("/proc/self/fdinfo/" + fd, "utf8").match(/^inotify wd:/gm) ?? []).length; } catch { return n; }
    }, 0);
    async function start() {
      const stream = m.watch(targets, { groups: ["link"] });
      try {
        await stream.ready;
      } finally {
        await stream.close();
      }
    }
    // One start first: what the process opens once for good (inotify's descriptor, libuv's pool) is not counted.
    await start();
    const before = open();
    const watchesBefore = watches();
    const out = [];
    for (let free = 0; free < 40; free++) {
      const fillers = [];
      try { for (;;) fillers.push(openSync("/dev/null", "r")); } catch {}
      for (let i = 0; i < free; i++) closeSync(fillers.pop());
      let error;
      try {
        await start();
      } catch (err) {
        error = { neslink: m.NeslinkError.isInstance(err), code: err.code, message: err.message };
      }
      for (const fd of fillers) closeSync(fd);
      const left = [...open()].filter(([fd]) => !before.has(fd)).map(([fd, d]) => fd + " " + d);
      out.push({ free, error, left, watches: watches() - watchesBefore });
      if (!error) break;
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync("prlimit", ["--nofile=64:64", process.execPath, "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.stderr).toBe("");
  // 13: Node's exit with a top-level await unsettled, when nothing else keeps the script alive.
  expect(r.status, "every start settles, its ready resolved or rejected").toBe(0);
  return JSON.parse(r.stdout);
}

/** What a first watch of `dir` in a process with no descriptor free fails with. */
function firstWatchFull(): { neslink: boolean; name: string; code: string; message: string } {
  const script = `
    import { openSync } from "node:fs";
    import * as m from ${JSON.stringify(core)};
    try { for (;;) openSync("/dev/null", "r"); } catch {}
    try {
      await m.watch({ named: true, dir: ${JSON.stringify(dir)} }, { groups: ["link"] }).ready;
    } catch (err) {
      console.log(JSON.stringify({ neslink: m.NeslinkError.isInstance(err), name: err.name, code: err.code, message: err.message }));
    }`;
  const r = spawnSync("prlimit", ["--nofile=64:64", process.execPath, "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

function expectCleanFailures(all: Attempt[]): void {
  const last = all.at(-1);
  // Up to a start that succeeds: every descriptor a start needs was, once, the one refused.
  expect(last?.error).toBeUndefined();
  expect(all.length).toBeGreaterThan(5);
  for (const a of all) {
    expect(a.left, `free ${a.free}`).toEqual([]);
    expect(a.watches, `free ${a.free}`).toBe(0);
    if (a !== last)
      expect(a.error, `free ${a.free}`).toMatchObject({ neslink: true, code: "EMFILE", message: expect.stringContaining("RLIMIT_NOFILE") });
  }
}

it("a watch of a named namespace fails with EMFILE naming the limit, leaving nothing open", () => {
  expectCleanFailures(attempts(`m.ns.name(${JSON.stringify(`${prefix}a`)})`));
});

it("a watch of every namespace of a dir fails so too, its dir no longer watched", () => {
  expectCleanFailures(attempts(`{ named: true, dir: ${JSON.stringify(dir)} }`));
});

it("the first watch of a dir in a process, its inotify descriptor refused, fails with EMFILE naming both limits, not as a bad dir", () => {
  expect(firstWatchFull()).toMatchObject({
    neslink: true,
    name: "SystemCallError",
    code: "EMFILE",
    message: expect.stringMatching(/RLIMIT_NOFILE.*fs\.inotify\.max_user_instances/),
  });
});
