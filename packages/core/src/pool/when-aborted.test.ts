import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { whenAborted } from "./when-aborted.js";

describe("whenAborted", () => {
  it("one listener on the signal for all its waiters, gone with the last", () => {
    const controller = new AbortController();
    const stops = Array.from({ length: 50 }, () => whenAborted(controller.signal, () => {}));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    for (const stop of stops) stop();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // A waiter after the last stopped gets a listener of its own again.
    whenAborted(controller.signal, () => {});
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
  });

  it("an abort cancels each waiter still waiting, once; one that stopped is not called", () => {
    const controller = new AbortController();
    const called: number[] = [];
    const stops = [0, 1, 2].map((i) => whenAborted(controller.signal, () => called.push(i)));
    stops[1]?.();
    // A cancel stops its own waiting as it runs, as the pool's does (the task settles).
    const stop3 = whenAborted(controller.signal, () => {
      called.push(3);
      stop3();
    });
    controller.abort();
    controller.abort();
    expect(called).toEqual([0, 2, 3]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
