import { describe, expect, it } from "vitest";
import { EndGate } from "./end-gate.js";

describe("EndGate", () => {
  it("lets the pool end the worker only outside its steps, nested ones counted", () => {
    const buffer = EndGate.allocate();
    const worker = new EndGate(buffer);
    const pool = new EndGate(buffer);
    worker.enter();
    expect(pool.shut()).toBe(false);
    // A step within a step goes on though the pool is ending the thread: it waits for the outer one to finish.
    worker.enter();
    worker.leave();
    expect(pool.shut()).toBe(false);
    worker.leave();
    expect(pool.shut()).toBe(true);
  });

  it("can be ended at once when no step ever started", () => {
    expect(new EndGate(EndGate.allocate()).shut()).toBe(true);
  });
});
