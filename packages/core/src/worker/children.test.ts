import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { ChildPids } from "./children.js";
import { EndGate } from "./end-gate.js";

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

  it("records a program it starts while it runs, in a step its thread is not ended within, and forgets it once collected", async () => {
    const buffer = ChildPids.allocate();
    const gate = EndGate.allocate();
    const pids = new ChildPids(buffer, new EndGate(gate));
    let endableWithin = true;
    const running = pids.record(() => {
      // The pool's view: what it reads when it comes to end the worker now.
      endableWithin = new EndGate(gate).shut();
      return spawn("sleep", ["5"]);
    });
    expect(endableWithin).toBe(false);
    expect(new EndGate(gate).shut()).toBe(true);
    expect([...new ChildPids(buffer).drain()]).toEqual([running.pid]);
    running.kill("SIGKILL");
    // The gate above is shut now (a record would wait to be ended): another thread's, on the same pids.
    const ended = new ChildPids(buffer, new EndGate(EndGate.allocate())).record(() => spawn("true"));
    await Promise.all([once(running, "exit"), once(ended, "exit")]);
    expect([...pids.drain()]).toEqual([]);
  });

  it("records nothing without an end gate: the pool's view only drains", () => {
    expect(() => new ChildPids(ChildPids.allocate()).record(() => spawn("true"))).toThrow(/end gate/);
  });
});
