import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STATUS_BY_CODE, statusOf } from "./status.js";

// The statuses of core's real failures are tested on the kernel: test/integration/status.test.ts.
describe("statusOf", () => {
  it("gives 500 for what carries no known code", () => {
    expect(statusOf(new Error("boom"))).toBe(500);
    expect(statusOf("boom")).toBe(500);
    expect(statusOf(Object.assign(new Error("x"), { code: "ERR_SOMETHING_ELSE" }))).toBe(500);
  });

  it("is the table the README gives, every code with its status", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    // "... (`STATUS_BY_CODE`): ERR_A 400, ERR_B / ERR_C 401, ..., anything else 500."
    const table = /\(`STATUS_BY_CODE`\):([\s\S]*?)anything else 500/.exec(readme)?.[1];
    expect(table).toBeDefined();
    const documented: Record<string, number> = {};
    for (const entry of (table as string).split(",").filter((e) => e.trim() !== "")) {
      const m = /^\s*([A-Z0-9_/ \s]+?)\s+(\d{3})\s*$/.exec(entry);
      expect(m, `README entry "${entry.trim()}"`).not.toBeNull();
      for (const code of (m as RegExpExecArray)[1]?.split("/") ?? []) documented[code.trim()] = Number(m?.[2]);
    }
    expect(documented).toEqual(STATUS_BY_CODE);
  });
});
