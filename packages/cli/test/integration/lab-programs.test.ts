/**
 * A lab's exec commands and programs through the built bin, as a lab
 * engineer sees them when they misbehave.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const lab = uniquePrefix("lp");
const dir = `/tmp/${lab}dir`;

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => {
  neslink("destroy", "--yes", lab);
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

describe("apply's exec commands", () => {
  it("shows the output of the commands that ran when another fails (they are not run again)", () => {
    const file = `${dir}/lab.yaml`;
    writeFileSync(file, `name: ${lab}\nnodes:\n  a: { exec: ["echo a-ran", ["${lab}-missing"]] }\n  b: { exec: ["echo b-ran"] }\n`);
    const r = neslink("apply", "--yes", file);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain("a$ /bin/sh -c 'echo a-ran' (exit 0)\na-ran\n");
    expect(r.stdout).toContain("b$ /bin/sh -c 'echo b-ran' (exit 0)\nb-ran\n");
    expect(r.stderr).toContain(`running ${lab}-missing: spawn failed: ENOENT`);
    const again = neslink("apply", "--yes", file);
    expect(again.stdout).not.toContain("b-ran");
    expect(neslink("destroy", "--yes", file).status).toBe(0);
  });
});
