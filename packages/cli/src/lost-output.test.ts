import { describe, expect, it } from "vitest";
import { lostOutputLine, lostOutputStatus } from "./lost-output.js";

const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

describe("lost output", () => {
  it("names the error and what the command came to, on one line", () => {
    expect(lostOutputLine(enospc, 0)).toBe(
      "neslink: could not write the output (ENOSPC: no space left on device); the command itself succeeded.\n",
    );
    expect(lostOutputLine(enospc, 2)).toBe(
      "neslink: could not write the output (ENOSPC: no space left on device); the command itself ended with status 2.\n",
    );
    // An error made elsewhere, whose message does not start with its code.
    expect(lostOutputLine(Object.assign(new Error("i/o error"), { code: "EIO" }), 0)).toContain("(EIO: i/o error)");
  });

  it("exits 1 for a command that succeeded; one that did not keeps its status", () => {
    expect([0, 1, 2, 4, 130].map(lostOutputStatus)).toEqual([1, 1, 2, 4, 130]);
  });
});
