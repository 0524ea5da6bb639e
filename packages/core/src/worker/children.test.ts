import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { ChildPids } from "./children.js";

describe("ChildPids", () => {
  it("lists what was added and not deleted, once, across views of the same memory", () => {
    const buffer = ChildPids.allocate();
    const worker = new ChildPids(buffer);
    for (const pid of [101, 102, 103]) worker.add(pid);
    worker.delete(102);
    worker.delete(999);
    const pool = new ChildPids(buffer);
    expect([...pool.drain()].sort()).toEqual([101, 103]);
    expect([...pool.drain()]).toEqual([]);
  });

  it("reuses the slot of a pid deleted", () => {
    const pids = new ChildPids(ChildPids.allocate());
    for (let pid = 1; pid <= 10_000; pid++) {
      pids.add(pid);
      pids.delete(pid);
    }
    pids.add(42);
    expect([...pids.drain()]).toEqual([42]);
  });

  it("records a program it starts while it runs, is starting only within, and forgets it once collected", async () => {
    const pids = new ChildPids(ChildPids.allocate());
    let startingWithin = false;
    const running = pids.record(() => {
      startingWithin = pids.isStarting();
      return spawn("sleep", ["5"]);
    });
    expect(startingWithin).toBe(true);
    expect(pids.isStarting()).toBe(false);
    expect([...pids.drain()]).toEqual([running.pid]);
    running.kill("SIGKILL");
    const ended = pids.record(() => spawn("true"));
    await Promise.all([once(running, "exit"), once(ended, "exit")]);
    expect([...pids.drain()]).toEqual([]);
  });
});
