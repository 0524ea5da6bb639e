import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { parseNodeRef } from "./locate.js";

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
});
