import { ValidationError } from "@neslink/core/errors";
import { describe, expect, it } from "vitest";
import { defined, integerOf, keywords } from "./keywords.js";

const SPEC = { mtu: "value", up: "flag", peer: "value" } as const;

function refused(words: string[]): ValidationError {
  try {
    keywords(words, SPEC, "link add veth");
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("expected a refusal");
}

describe("keywords", () => {
  it("reads iproute2's keyword-value grammar, flags standing alone", () => {
    expect(keywords(["peer", "eth0", "up", "mtu", "1400"], SPEC, "x")).toEqual({ peer: "eth0", up: true, mtu: "1400" });
  });

  it("refuses unknown, repeated and valueless keywords, naming each", () => {
    expect(refused(["colour", "red"])).toMatchObject({ field: "colour" });
    expect(refused(["colour"]).message).toContain("expected one of: mtu, up, peer");
    expect(refused(["up", "up"]).message).toContain("given twice");
    expect(refused(["mtu"])).toMatchObject({ field: "mtu", message: "mtu: needs a value" });
  });

  it("reads whole numbers, refusing anything else", () => {
    expect(integerOf({ mtu: "1400" }, "mtu")).toBe(1400);
    expect(integerOf({}, "mtu")).toBeUndefined();
    expect(() => integerOf({ mtu: "14e2" }, "mtu")).toThrow(/mtu: must be a whole number/);
    // Hexadecimal as iproute2 takes it; nothing else that Number() would read.
    expect(integerOf({ table: "0x64" }, "table")).toBe(100);
    expect(integerOf({ group: "0XfF" }, "group")).toBe(255);
    // Octal after a 0, as iproute2 takes it (strtoul's base 0); 0 itself, and decimals, as they are.
    expect(integerOf({ table: "010" }, "table")).toBe(8);
    expect(integerOf({ group: "00" }, "group")).toBe(0);
    expect(integerOf({ group: "0" }, "group")).toBe(0);
    expect(integerOf({ mtu: "1500" }, "mtu")).toBe(1500);
    for (const bad of ["0x", "0b101", "0o17", "1_000", " 12", "-1", "0x1g", "08", "019"])
      expect(() => integerOf({ mtu: bad }, "mtu")).toThrow(/mtu: must be a whole number/);
  });

  it("drops undefined properties", () => {
    expect(defined({ a: 1, b: undefined })).toEqual({ a: 1 });
  });
});
