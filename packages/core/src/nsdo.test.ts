import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { splitOptions } from "./pool/run-options.js";

describe("splitOptions", () => {
  const a = { kind: "links" };
  const b = { kind: "handle" };

  it("takes a last argument with no kind as the options", () => {
    expect(splitOptions([a, b])).toEqual({ actions: [a, b], options: undefined });
    expect(splitOptions([a, b, { timeoutMs: 5 }])).toEqual({ actions: [a, b], options: { timeoutMs: 5 } });
    expect(splitOptions([{ timeoutMs: 5 }])).toEqual({ actions: [], options: { timeoutMs: 5 } });
  });

  it("refuses what is not an action, naming its place", () => {
    const err = (() => {
      try {
        splitOptions([a, null, b]);
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe("actions[1]");
    expect(() => splitOptions([a, "links"], "linkActions")).toThrow(/linkActions\[1\]/);
    // An object without a kind anywhere but last is no action either.
    expect(() => splitOptions([{ timeoutMs: 5 }, a])).toThrow(/actions\[0\]/);
  });
});
