import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { identityOfFd } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { type HoldersSeen, holdersOf, stalled } from "./stalled.js";

const seen = (...holders: [string, number, boolean?][]): HoldersSeen =>
  new Map(holders.map(([pid, cpu, stopped = false]) => [pid, { cpu, stopped }]));

describe("whether a lock's holders get on", () => {
  it("gives up at once on a stopped holder, naming it", () => {
    expect(stalled(undefined, seen(["7", 10], ["8", 5, true]), 5000)).toEqual({
      holder: "8",
      why: "it is stopped (resume it with kill -CONT, or fg)",
    });
  });

  it("takes the first look as the baseline; then goes on while a holder used CPU, or a new one holds it", () => {
    expect(stalled(undefined, seen(["7", 10]), 5000)).toBeUndefined();
    expect(stalled(seen(["7", 10]), seen(["7", 11]), 5000)).toBeUndefined();
    expect(stalled(seen(["7", 10]), seen(["7", 10], ["9", 0]), 5000)).toBeUndefined();
  });

  it("gives up on holders that used no CPU for a period, naming one", () => {
    expect(stalled(seen(["7", 10], ["8", 3]), seen(["7", 10], ["8", 3]), 5000)).toEqual({
      holder: "7",
      why: "it has used no CPU for 5000 ms",
    });
  });

  it("goes on when none is left (let go as it looked), and gives up when none could be named twice running", () => {
    expect(stalled(seen(["7", 10]), seen(), 5000)).toBeUndefined();
    expect(stalled(undefined, seen(), 5000)).toBeUndefined();
    expect(stalled(seen(), seen(), 5000)).toEqual({ holder: "", why: "it cannot be named from /proc" });
  });
});

describe("a flock's holders read from /proc", () => {
  const dir = mkdtempSync(`${tmpdir()}/neslink-stalled-`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names this process, running (its CPU but this thread's, which waits); and a stopped one as stopped", async () => {
    const fd = openSync(`${dir}/lock`, "w");
    try {
      expect(libc.tryLock(fd, libc.LOCK_SH)).toBe(true);
      const file = identityOfFd(fd);
      const mine = holdersOf(file).get(String(process.pid));
      expect(mine).toEqual({ cpu: expect.any(Number), stopped: false });
      // flock(1) takes the same lock shared and waits: stopped, it is still listed, as stopped.
      const other = spawn("flock", ["-s", `${dir}/lock`, "sleep", "600"], { stdio: "ignore" });
      try {
        const pid = String(other.pid);
        while (!holdersOf(file).has(pid)) await new Promise((r) => setTimeout(r, 10));
        other.kill("SIGSTOP");
        while (holdersOf(file).get(pid)?.stopped !== true) await new Promise((r) => setTimeout(r, 10));
        expect(stalled(undefined, holdersOf(file), 5000)).toEqual({ holder: pid, why: "it is stopped (resume it with kill -CONT, or fg)" });
      } finally {
        other.kill("SIGKILL");
        await once(other, "exit");
      }
    } finally {
      closeSync(fd);
    }
  });
});
