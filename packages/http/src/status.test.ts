import { describe, expect, it } from "vitest";
import { statusOf } from "./status.js";

// The statuses of core's real failures are tested on the kernel: test/integration/status.test.ts.
describe("statusOf", () => {
  it("gives 500 for what carries no known code", () => {
    expect(statusOf(new Error("boom"))).toBe(500);
    expect(statusOf("boom")).toBe(500);
    expect(statusOf(Object.assign(new Error("x"), { code: "ERR_SOMETHING_ELSE" }))).toBe(500);
  });
});
