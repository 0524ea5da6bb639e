import { describe, expect, it } from "vitest";
import { TopologyApplyError } from "./apply.js";
import type { Change } from "./changes.js";

const namespace = (node: string): Change => ({ op: "create", object: "netns", node, netns: `lab-${node}` });

describe("TopologyApplyError's message", () => {
  it("counts what was made in words (1 change, 2 changes) and names each failed change with its cause", () => {
    const failed = [{ changes: [namespace("b")], notAttempted: [], error: new Error("no room") }];
    expect(new TopologyApplyError("lab", failed, [namespace("a")]).message).toBe(
      "applying lab failed (1 change made; 1 failed, 0 not attempted; apply again to continue):\n  + netns lab-b (node b): no room",
    );
    expect(new TopologyApplyError("lab", failed, [namespace("a"), namespace("c")]).message).toContain("(2 changes made;");
  });

  it("tells the changes a failure stopped before they were tried on a line of their own, not as failed", () => {
    const failed = [{ changes: [namespace("b")], notAttempted: [namespace("c"), namespace("d")], error: new Error("no room") }];
    const error = new TopologyApplyError("lab", failed, []);
    expect(error.message).toBe(
      "applying lab failed (0 changes made; 1 failed, 2 not attempted; apply again to continue):\n  + netns lab-b (node b): no room\n" +
        "    not attempted (stopped by that failure): + netns lab-c (node c); + netns lab-d (node d)",
    );
    expect(JSON.parse(JSON.stringify(error)).failures).toEqual([
      {
        changes: ["+ netns lab-b (node b)"],
        notAttempted: ["+ netns lab-c (node c)", "+ netns lab-d (node d)"],
        error: expect.objectContaining({ message: "no room" }),
      },
    ]);
  });

  it("tells the changes of tasks never started on a line of their own, counted, and as its top-level notAttempted", () => {
    const failed = [{ changes: [namespace("b")], notAttempted: [namespace("c")], error: new Error("no room") }];
    const error = new TopologyApplyError("lab", failed, [namespace("a")], [], undefined, undefined, [namespace("d"), namespace("e")]);
    expect(error.message).toBe(
      "applying lab failed (1 change made; 1 failed, 3 not attempted; apply again to continue):\n  + netns lab-b (node b): no room\n" +
        "    not attempted (stopped by that failure): + netns lab-c (node c)\n" +
        "  not attempted (apply stopped before them): + netns lab-d (node d); + netns lab-e (node e)",
    );
    expect(JSON.parse(JSON.stringify(error)).notAttempted).toEqual(["+ netns lab-d (node d)", "+ netns lab-e (node e)"]);
  });
});
