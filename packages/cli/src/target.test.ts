import { describe, expect, it } from "vitest";
import { target } from "./target.js";

describe("target", () => {
  // core refuses these under its own parameter (path, name, node): the user gave them under a CLI word.
  it.each([
    ["./rel", "-n", '"./rel" is not an absolute path'],
    ["", "netns", "must be a non-empty string"],
    ["a b", "NS", '"a b" contains whitespace'],
    ["x:", "-n", '"x:" must be LAB:NODE'],
  ])("refuses %j under the word it was given by (%s)", async (spec, field, reason) => {
    const refused = target(spec, undefined, field);
    await expect(refused).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field });
    await expect(refused).rejects.toThrow(`${field}: ${reason}`);
  });

  it("says -n when no word is given", async () => {
    await expect(target("./rel")).rejects.toMatchObject({ field: "-n" });
  });
});
