/** NEScript templates run for real: the Go seed's example through its own name, NAExecNescript. */
import { existsSync } from "node:fs";
import { closeDefaultPool, NAExecNescript, NPName, NsDo, ValidationError } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ne");
const lab = `${prefix}l`;
/** The seed's README example, as written there. */
const SEED_EXAMPLE = "sleep 3 && {{.Command}} address list";

beforeAll(() => {
  ip("netns", "add", lab);
  ip("-n", lab, "link", "add", `${prefix}b`, "type", "bridge");
  ip("-n", lab, "addr", "add", "10.77.0.1/24", "dev", `${prefix}b`);
});

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

describe("NAExecNescript", () => {
  it("runs the seed's example, {{.Command}} and all, inside the namespace", async () => {
    // The example's text, with only its sleep shortened.
    const template = SEED_EXAMPLE.replace("sleep 3", "sleep 0.1");
    const {
      results: [r],
    } = await NsDo(NPName(lab), NAExecNescript(template, { Command: "ip" }));
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toBe(ip("-n", lab, "address", "list"));
    expect(r.stdout).toContain("10.77.0.1/24");
  });

  it("a value is one word, never code; any other {{...}} is refused before anything runs", async () => {
    const marker = `/tmp/${prefix}-ran`;
    const {
      results: [r],
    } = await NsDo(NPName(lab), NAExecNescript("printf '%s|' {{.A}} {{b}}", { A: `x; touch ${marker}`, b: "two words" }));
    expect(r.stdout).toBe(`x; touch ${marker}|two words|`);
    expect(existsSync(marker)).toBe(false);
    for (const template of [`touch ${marker} {{if .A}}`, `touch ${marker} {{.A.B}}`, `touch ${marker} {{.A`]) {
      expect(() => NAExecNescript(template, { A: "1" })).toThrow(ValidationError);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
