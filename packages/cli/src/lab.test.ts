import type { topology } from "@neslink/core";
import { expect, it } from "vitest";
import { planText } from "./lab.js";

type Plan = Awaited<ReturnType<typeof topology.plan>>;

it("prints each change as one line, whatever it carries: a newline or a tab in it is escaped, not laid out", async () => {
  // A route's device is checked by load; a plan made by other means may still carry anything.
  const route = { to: "default", family: "inet", via: null, dev: "e\n+ netns x\tnot a change", metric: null, table: "main" };
  const plan = {
    topology: "lab",
    summary: { add: 1, change: 0, destroy: 0 },
    changes: [{ op: "create", object: "route", node: "a", netns: "lab-a", route }],
  } as unknown as Plan;
  expect(await planText(plan)).toBe(
    "  + route default dev e\\x0a+ netns x\\x09not a change in a\nPlan for lab: 1 to add, 0 to change, 0 to destroy.\n",
  );
});
