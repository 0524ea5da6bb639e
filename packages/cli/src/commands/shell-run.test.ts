import { describe, expect, it } from "vitest";
import { wordsOf } from "./shell-run.js";

describe("shell lines", () => {
  it("splits words as a shell does, quotes and comments included", () => {
    expect(wordsOf(`link set v0 alias "uplink to r1" # why`, 1)).toEqual(["link", "set", "v0", "alias", "uplink to r1"]);
    expect(wordsOf("   ", 1)).toEqual([]);
  });

  it("refuses shell operators, naming the line", () => {
    expect(() => wordsOf("ns list | grep x", 7)).toThrow('line 7: shell syntax is not supported here: "|"');
    expect(() => wordsOf("ns add lab > log", 1)).toThrow('here: ">"');
    expect(() => wordsOf("ns add lab*", 1)).toThrow('here: "lab*"');
  });
});
