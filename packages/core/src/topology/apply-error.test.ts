import { describe, expect, it } from "vitest";
import { TopologyApplyError } from "./apply.js";
import type { Change } from "./changes.js";

const namespace = (node: string): Change => ({ op: "create", object: "netns", node, netns: `lab-${node}` });

describe("TopologyApplyError's message", () => {
  it("counts what was made in words (1 change, 2 changes) and names each failed change with its cause", () => {
    const failed = [{ changes: [namespace("b")], error: new Error("no room") }];
    expect(new TopologyApplyError("lab", failed, [namespace("a")]).message).toBe(
      "applying lab failed (1 change made; apply again to continue):\n  + netns lab-b (node b): no room",
    );
    expect(new TopologyApplyError("lab", failed, [namespace("a"), namespace("c")]).message).toContain("(2 changes made;");
  });
});
