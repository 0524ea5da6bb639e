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
});
