import { describe, expect, it } from "vitest";
import { closest } from "./closest.js";

describe("closest", () => {
  it("finds a slip: a swap, a letter missing, extra or wrong", () => {
    const options = ["json", "yes", "dry-run", "format"];
    expect(closest("yse", options)).toBe("yes");
    expect(closest("dryrun", options)).toBe("dry-run");
    expect(closest("jsonn", options)).toBe("json");
    expect(closest("fromat", options)).toBe("format");
  });

  it("suggests nothing for a word that is not near any", () => {
    expect(closest("bogus", ["json", "yes", "dry-run"])).toBeUndefined();
    expect(closest("ns", ["yes"])).toBeUndefined();
    expect(closest("x", [])).toBeUndefined();
  });
});
