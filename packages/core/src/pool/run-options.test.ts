import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { isRunOptions, runOptions } from "./run-options.js";

describe("run options", () => {
  it("are told from actions by having no kind", () => {
    expect(isRunOptions({ timeoutMs: 5 })).toBe(true);
    expect(isRunOptions({})).toBe(true);
    expect(isRunOptions({ kind: "links" })).toBe(false);
    expect(isRunOptions(null)).toBe(false);
    expect(isRunOptions([])).toBe(false);
  });

  it("are checked by name", () => {
    const signal = new AbortController().signal;
    expect(runOptions({ timeoutMs: 10, signal })).toEqual({ timeoutMs: 10, signal });
    expect(() => runOptions({ timeoutMs: 0 })).toThrow(ValidationError);
    expect(() => runOptions({ timeoutMs: 1.5 })).toThrow(/options\.timeoutMs/);
    expect(() => runOptions({ signal: {} as AbortSignal })).toThrow(/options\.signal/);
    expect(() => runOptions({ timout: 5 } as never)).toThrow(/options\.timout: unknown option/);
  });
});
