import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { locateNamed } from "./locate.js";
import { parseNodeRef } from "./node-ref.js";

describe("parseNodeRef", () => {
  it("splits LAB:NODE and leaves anything without exactly one colon alone", () => {
    expect(parseNodeRef("demo:h1")).toEqual({ topology: "demo", node: "h1" });
    expect(parseNodeRef("lab1")).toBeUndefined();
    expect(parseNodeRef("a:b:c")).toBeUndefined();
  });

  it("refuses an empty part, naming the field", () => {
    expect(() => parseNodeRef("demo:")).toThrow(ValidationError);
    expect(() => parseNodeRef(":h1")).toThrow(/LAB:NODE/);
  });

  it("refuses a lab part no lab can be named (as destroy does), naming the field", () => {
    expect(() => parseNodeRef("fhé:h1")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "node" }));
    expect(() => parseNodeRef("Demo:h1")).toThrow(/is not a lab's name/);
  });
});

describe("locateNamed", () => {
  it("takes a name no lab can have for the namespace of that name in the dir, if there is one", async () => {
    const dir = mkdtempSync(`${tmpdir()}/neslink-locate-`);
    try {
      writeFileSync(`${dir}/Foo:bar`, "");
      await expect(locateNamed("Foo:bar", { dir })).resolves.toBe("Foo:bar");
      await expect(locateNamed("Foo:baz", { dir })).rejects.toThrow(/is not a lab's name/);
      await expect(locateNamed("a:b:c", { dir })).resolves.toBe("a:b:c");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
