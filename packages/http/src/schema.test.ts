import { ValidationError } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { createNamespaceBody, execBody } from "./bodies.js";
import { type Schema, validate } from "./schema.js";

function fieldOf(schema: Parameters<typeof validate>[0], value: unknown): string {
  try {
    validate(schema, value);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error("expected a ValidationError");
}

describe("validate", () => {
  it("accepts bodies that match and returns them", () => {
    expect(validate(createNamespaceBody, { name: "lab1" })).toEqual({ name: "lab1" });
    expect(validate(execBody, { argv: ["ip", "-j", "link"] })).toEqual({ argv: ["ip", "-j", "link"] });
  });

  it("names the field at fault", () => {
    expect(fieldOf(createNamespaceBody, [])).toBe("body");
    expect(fieldOf(createNamespaceBody, null)).toBe("body");
    expect(fieldOf(createNamespaceBody, {})).toBe("name");
    expect(fieldOf(createNamespaceBody, { name: 7 })).toBe("name");
    expect(fieldOf(createNamespaceBody, { name: "" })).toBe("name");
    expect(fieldOf(createNamespaceBody, { name: "x".repeat(256) })).toBe("name");
    expect(fieldOf(createNamespaceBody, { name: "ok", extra: 1 })).toBe("extra");
    expect(fieldOf(execBody, { argv: [] })).toBe("argv");
    expect(fieldOf(execBody, { argv: "ls" })).toBe("argv");
    expect(fieldOf(execBody, { argv: ["ls", 3] })).toBe("argv[1]");
  });

  it("refuses fields named like Object.prototype's members, as any other unknown field", () => {
    // JSON.parse makes "__proto__" an own key, as a client's JSON can.
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      expect(fieldOf(createNamespaceBody, JSON.parse(`{"name":"ok",${JSON.stringify(key)}:{}}`))).toBe(key);
      expect(fieldOf(execBody, JSON.parse(`{"argv":["ls"],${JSON.stringify(key)}:1}`))).toBe(key);
    }
    // Required fields are the body's own, not inherited ones.
    const inherited = {
      type: "object",
      required: ["toString"],
      additionalProperties: false,
      properties: { toString: { type: "string" } },
    } as const satisfies Schema;
    expect(fieldOf(inherited, {})).toBe("toString");
  });

  it("says what is wrong in the message, after the field", () => {
    expect(() => validate(createNamespaceBody, {})).toThrow("name: is required");
    expect(() => validate(execBody, { argv: [] })).toThrow("argv: must have at least 1 item");
    expect(() => validate(execBody, { argv: [] })).not.toThrow("items");
    expect(() => validate(execBody, { argv: [""] })).toThrow("argv[0]: must have at least 1 character");
    expect(() => validate(execBody, { argv: [""] })).not.toThrow("characters");
    const pair = { type: "array", items: { type: "string", minLength: 2 }, minItems: 2, maxItems: 1 } as const satisfies Schema;
    expect(() => validate(pair, ["ab"])).toThrow("body: must have at least 2 items");
    expect(() => validate({ ...pair, minItems: 0 }, ["a"])).toThrow("body[0]: must have at least 2 characters");
    expect(() => validate({ ...pair, minItems: 0 }, ["ab", "cd"])).toThrow("body: must have at most 1 item");
  });

  it("reports an unknown field before a required one it leaves missing, naming the known ones", () => {
    // JSON.parse makes "__proto__" an own key: it is the mistake, not the "name" it does not give.
    expect(() => validate(createNamespaceBody, JSON.parse('{"__proto__":{"name":"x"}}'))).toThrow(
      "__proto__: is not a known field (known here: name)",
    );
    expect(() => validate(createNamespaceBody, { nmae: "lab1" })).toThrow("nmae: is not a known field (known here: name)");
    expect(() => validate(execBody, { args: ["ls"] })).toThrow("args: is not a known field (known here: argv)");
  });

  it("counts characters, not UTF-16 units", () => {
    expect(validate({ type: "string", maxLength: 2 }, "😀😀")).toBe("😀😀");
    expect(() => validate({ type: "string", maxLength: 1 }, "😀😀")).toThrow("body: must have at most 1 character");
  });

  it("counts a name's bytes of UTF-8 (x-maxBytes): its limit is the file system's, NAME_MAX bytes, not 255 characters", () => {
    expect(validate(createNamespaceBody, { name: `${"😀".repeat(63)}aaa` })).toBeTruthy();
    expect(() => validate(createNamespaceBody, { name: "é".repeat(128) })).toThrow("name: must have at most 255 UTF-8 bytes");
    expect(() => validate(createNamespaceBody, { name: "😀".repeat(255) })).toThrow("name: must have at most 255 UTF-8 bytes");
  });
});
