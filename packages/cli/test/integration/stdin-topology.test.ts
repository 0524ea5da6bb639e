/**
 * A topology piped in as "-" (a generated lab: `gen-lab | neslink apply -`), through the built bin: planned, applied,
 * destroyed, and its mistakes placed at "-:LINE:COLUMN", checked against the kernel with iproute2.
 */
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix, vethsIn } from "../../../core/test/integration/kernel.js";
import { neslinkWith } from "./run.js";

const lab = uniquePrefix("si");
const yaml = `name: ${lab}\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: ["a:e0", "b:e0"]\n`;

afterAll(() => cleanup(lab));

describe("neslink plan|apply|destroy - (the topology on standard input)", () => {
  it("applies what is piped in, finds nothing more to do, and destroys it", () => {
    const applied = neslinkWith(yaml, "apply", "-", "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    expect(netnsList(lab).sort()).toEqual([`${lab}-a`, `${lab}-b`]);
    expect([...vethsIn(`${lab}-a`).keys()]).toEqual(["e0"]);
    expect(neslinkWith(yaml, "plan", "-").stdout).toContain("nothing to do");
    const destroyed = neslinkWith(yaml, "destroy", "-", "--yes");
    expect(destroyed.status).toBe(0);
    expect(netnsList(lab)).toEqual([]);
  });

  it("places a mistake at -:LINE:COLUMN, exit 3, and makes nothing", () => {
    const r = neslinkWith(`name: ${lab}\nnodes:\n  a: { mtu: 1500 }\n`, "apply", "-", "--yes");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("-:3:");
    expect(r.stderr).toContain("nodes.a.mtu");
    expect(netnsList(lab)).toEqual([]);
  });
});
