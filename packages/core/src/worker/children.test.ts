import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { closePidfd, reapPidfd } from "../ffi/libc.js";
import { ChildPids, type RecordedChild } from "./children.js";
import { EndGate } from "./end-gate.js";

/** A worker's record (with its own gate) and the pool's view of the same memory. */
function views(): { worker: ChildPids; pool: ChildPids } {
  const buffer = ChildPids.allocate();
  return { worker: new ChildPids(buffer, new EndGate(EndGate.allocate())), pool: new ChildPids(buffer) };
}

/** The pidfds drained, closed once they are checked: each collects its own program alone. */
function closeAll(recorded: RecordedChild[]): void {
  for (const child of recorded) if ("pidfd" in child) closePidfd(child.pidfd);
}

describe("ChildPids", () => {
  it("lists the programs started and not yet collected, once, each by a pidfd that collects that program", async () => {
    const { worker, pool } = views();
    const [a, b, c] = [0, 1, 2].map((i) => worker.record(() => spawn("sleep", ["5"]), i !== 1)) as [
      ChildProcess,
      ChildProcess,
      ChildProcess,
    ];
    b.kill("SIGKILL");
    await once(b, "exit");
    const drained = [...pool.drain()];
    try {
      expect(drained).toEqual([
        { pidfd: expect.any(Number), tied: true },
        { pidfd: expect.any(Number), tied: true },
      ]);
      expect([...pool.drain()]).toEqual([]);
      // Still running: nothing to collect yet.
      expect(drained.map((child) => "pidfd" in child && reapPidfd(child.pidfd))).toEqual([false, false]);
    } finally {
      for (const program of [a, c]) program.kill("SIGKILL");
    }
    // The loop of the test's thread collects them (their "exit"): each pidfd then finds its program gone.
    await Promise.all([once(a, "exit"), once(c, "exit")]);
    expect(drained.map((child) => "pidfd" in child && reapPidfd(child.pidfd))).toEqual([true, true]);
    closeAll(drained);
  });

  it("forgets each program its loop collected, whatever their number: slots are reused", async () => {
    const { worker, pool } = views();
    for (let i = 0; i < 50; i++)
      await once(
        worker.record(() => spawn("true"), false),
        "exit",
      );
    const last = worker.record(() => spawn("sleep", ["5"]), false);
    const drained = [...pool.drain()];
    last.kill("SIGKILL");
    expect(drained).toEqual([{ pidfd: expect.any(Number), tied: false }]);
    closeAll(drained);
  });

  it("records a program it starts in a step its thread is not ended within", async () => {
    const buffer = ChildPids.allocate();
    const gate = EndGate.allocate();
    const pids = new ChildPids(buffer, new EndGate(gate));
    let endableWithin = true;
    const running = pids.record(() => {
      // The pool's view: what it reads when it comes to end the worker now.
      endableWithin = new EndGate(gate).shut();
      return spawn("sleep", ["5"]);
    }, false);
    expect(endableWithin).toBe(false);
    expect(new EndGate(gate).shut()).toBe(true);
    // Its gate shut, a thread waits in its next step (here the record's removal, at "exit") to be ended: not this one.
    running.removeAllListeners("exit");
    const drained = [...new ChildPids(buffer).drain()];
    expect(drained).toHaveLength(1);
    closeAll(drained);
    running.kill("SIGKILL");
    await once(running, "close");
  });

  it("records nothing without an end gate: the pool's view only drains", () => {
    expect(() => new ChildPids(ChildPids.allocate()).record(() => spawn("true"), false)).toThrow(/end gate/);
  });
});
