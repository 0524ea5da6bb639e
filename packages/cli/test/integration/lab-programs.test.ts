/**
 * A lab's exec commands and programs through the built bin, as a lab
 * engineer sees them when they misbehave.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

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

describe("inspect", () => {
  it("names a program that ended after apply, which has no row of its own", async () => {
    const file = `${dir}/late.yaml`;
    writeFileSync(file, `name: ${lab}\nnodes:\n  a: { processes: [{ name: late, command: "sleep 0.3; exit 1" }] }\n`);
    expect(neslink("apply", "--yes", file).status).toBe(0);
    // Waited for, not timed: the program ends on its own a moment after apply.
    for (let tries = 0; json("inspect", file).body[0].nodes[0].processes.length > 0 && tries < 200; tries++)
      await new Promise((r) => setTimeout(r, 50));
    const r = neslink("inspect", file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${lab}: 1 change to apply\n  + process a:late (/bin/sh -c 'sleep 0.3; exit 1')\n`);
    expect(neslink("destroy", "--yes", file).status).toBe(0);
  });
});
