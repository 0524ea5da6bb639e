import { ValidationError } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { refuseDuplicateKeys } from "./json-keys.js";

function refusal(text: string): { field: string; message: string } | undefined {
  JSON.parse(text);
  try {
    refuseDuplicateKeys(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const { field, message } = err as ValidationError;
    return { field, message };
  }
  return undefined;
}

describe("refuseDuplicateKeys", () => {
  it("names the field and the key of a key given twice, at any depth", () => {
    expect(refusal('{"name":"a","name":"b"}')).toEqual({ field: "name", message: 'name: the key "name" is given twice in one object' });
    expect(refusal('{"links":[{"mtu":1},{"mtu":1, "up":true ,"mtu":2}]}')?.field).toBe("links[1].mtu");
    expect(refusal('{"a":{"b":{"c":1,"c":1}}}')?.field).toBe("a.b.c");
    expect(refusal('[1,[2,{"x":0,"x":0}]]')?.field).toBe("body[1][1].x");
    expect(refusal('{"argv":["ls"],"argv":["rm"]}')?.field).toBe("argv");
  });

  it("compares keys as decoded: an escape does not make a second key", () => {
    expect(refusal('{"name":"a","n\\u0061me":"b"}')?.field).toBe("name");
    expect(refusal('{"a\\"b":1,"a\\u0022b":2}')?.message).toContain('the key "a\\"b" is given twice');
    expect(refusal('{"__proto__":1,"__proto__":2}')?.field).toBe("__proto__");
    expect(refusal('{"constructor":1,"constructor":2}')?.field).toBe("constructor");
  });

  it("lets the same key be in other objects, and brackets, commas and quotes inside strings be text", () => {
    expect(refusal('{"a":1,"b":{"a":1},"c":[{"a":1},{"a":1}],"d":"a"}')).toBeUndefined();
    expect(refusal('{"a":"x\\",\\"a\\":{[","b":["a","a",",","}"],"c\\\\":"\\\\","c":1}')).toBeUndefined();
    expect(refusal('  [ "a" , { } , [ ] , "a" ]  ')).toBeUndefined();
    expect(refusal('"a"')).toBeUndefined();
  });

  it("checks a body of hundreds of thousands of keys in one pass (comparing each with every earlier one would take minutes)", () => {
    const many = (n: number, last: string) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")},"${last}":0}`;
    expect(refusal(many(200_000, "x"))).toBeUndefined();
    expect(refusal(many(200_000, "k199999"))?.field).toBe("k199999");
    const nested = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(refusal(nested)).toBeUndefined();
  });
});
