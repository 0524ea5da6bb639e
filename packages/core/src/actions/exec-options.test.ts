import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { checkArgv, checkExecOptions, checkSpawnOptions, DEFAULT_MAX_BUFFER } from "./exec-options.js";

describe("exec options", () => {
  it("keep what is given, with maxBuffer defaulted and no timeout", () => {
    expect(checkExecOptions({})).toEqual({ maxBuffer: DEFAULT_MAX_BUFFER });
    expect(checkExecOptions({ env: { A: "1" }, cwd: "/tmp", input: "x", timeoutMs: 5, maxBuffer: 10 })).toEqual({
      env: { A: "1" },
      cwd: "/tmp",
      input: "x",
      timeoutMs: 5,
      maxBuffer: 10,
    });
  });

  it("drop what a caller slipped in beside them", () => {
    expect(checkSpawnOptions({ env: { A: "1" }, shell: true } as object)).toEqual({ env: { A: "1" } });
  });

  it("name the field at fault", () => {
    const bad: [() => unknown, RegExp][] = [
      [() => checkArgv("ls"), /^argv:/],
      [() => checkArgv([""]), /^argv\[0\]:/],
      [() => checkExecOptions({ maxBuffer: -1 }), /^maxBuffer:/],
      [() => checkExecOptions({ timeoutMs: 1.5 }), /^timeoutMs:/],
      [() => checkExecOptions({ input: 3 as unknown as string }), /^input:/],
      [() => checkSpawnOptions({ cwd: "tmp" }), /^cwd:/],
      [() => checkSpawnOptions({ env: { A: 1 as unknown as string } }), /^env\.A:/],
      [() => checkSpawnOptions({ env: { "A=B": "1" } }), /^env\.A=B:/],
      [() => checkSpawnOptions({ env: { A: "a\0b" } }), /^env\.A:/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(message);
    }
  });
});
