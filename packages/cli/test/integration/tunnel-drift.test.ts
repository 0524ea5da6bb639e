/**
 * A lab's vxlan and macvlan edited in the file, through the built bin: `plan
 * --detailed-exitcode` says the kernel differs (4) and shows each link made
 * again with what differs, `apply` makes them again, and the node then has
 * what the file says (`ip -j -d`). An unchanged file is no drift.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";
import { schemaErrors } from "./shape-schemas.js";

const lab = uniquePrefix("td");
const parent = `${lab}p`;
const dir = mkdtempSync(`${tmpdir()}/neslink-tunnel-drift-`);
const file = `${dir}/lab.yaml`;
// A VNI of this file's own: two vxlans of one VNI and port in the host would be refused.
const vni = 2_000_000 + (Number.parseInt(lab.slice(2), 16) % 1_000_000) * 10;

const write = (id: number, mode: string) =>
  writeFileSync(
    file,
    [
      `name: ${lab}`,
      "nodes:",
      "  a:",
      "    interfaces:",
      `      vx0: { kind: vxlan, id: ${id}, remote: 192.0.2.1, parent: ${parent} }`,
      `      mv0: { kind: macvlan, parent: ${parent}, mode: ${mode} }`,
      "",
    ].join("\n"),
  );

interface IpLink {
  linkinfo: { info_data: Record<string, unknown> };
}
const infoData = (name: string) => ipJson<IpLink[]>("-n", `${lab}-a`, "link", "show", name)[0]?.linkinfo.info_data;

beforeAll(() => {
  ip("link", "add", parent, "type", "bridge");
});

afterAll(() => {
  try {
    neslink("destroy", lab);
  } finally {
    cleanup(lab);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a vxlan and a macvlan edited in the file", () => {
  it("plan --detailed-exitcode says the kernel differs, shows each made again, and apply makes them so", () => {
    write(vni, "private");
    expect(neslink("apply", file, "--yes").status).toBe(0);
    const same = neslink("plan", file, "--detailed-exitcode");
    expect([same.status, same.stdout]).toEqual([0, `${lab}: the kernel matches the file, nothing to do.\n`]);

    write(vni + 1, "vepa");
    const drift = neslink("plan", file, "--detailed-exitcode");
    expect(drift.status).toBe(4);
    // Each made again up by its creation: no "up" change of its own.
    expect(drift.stdout).toContain(`Plan for ${lab}: 2 to add, 0 to change, 2 to destroy.`);
    for (const line of [
      `- link macvlan a:mv0 (mode private -> vepa)`,
      `- link vxlan a:vx0 (id ${vni} -> ${vni + 1})`,
      `+ link vxlan a:vx0 on host link ${parent} (id ${vni + 1} remote 192.0.2.1)`,
      `+ link macvlan a:mv0 on host link ${parent} (vepa)`,
    ])
      expect(drift.stdout).toContain(line);
    const planned = json("plan", file);
    // Each change as the published schema says: the object it is to, a link's kind the kernel's or the one made.
    for (const change of planned.body.changes) expect([change, schemaErrors("Change", change)]).toEqual([change, []]);
    expect(planned.body.changes.map((c: { op: string; object: string; kind?: string }) => `${c.op} ${c.object} ${c.kind}`).sort()).toEqual([
      "create link macvlan",
      "create link vxlan",
      "delete link macvlan",
      "delete link vxlan",
    ]);
    expect(planned.body.changes.filter((c: { op: string }) => c.op === "delete")).toEqual([
      { op: "delete", object: "link", kind: "macvlan", node: "a", netns: `${lab}-a`, name: "mv0", reason: "mode private -> vepa" },
      { op: "delete", object: "link", kind: "vxlan", node: "a", netns: `${lab}-a`, name: "vx0", reason: `id ${vni} -> ${vni + 1}` },
    ]);

    const applied = neslink("apply", file, "--yes");
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`^Applied ${lab}: 2 added, 0 changed, 2 destroyed in \\d+ ms\\.$`, "m"));
    expect(infoData("vx0")).toMatchObject({ id: vni + 1, remote: "192.0.2.1" });
    expect(infoData("mv0")).toMatchObject({ mode: "vepa" });
    for (const name of ["vx0", "mv0"])
      expect(ipJson<{ flags: string[] }[]>("-n", `${lab}-a`, "link", "show", name)[0]?.flags).toContain("UP");
    expect(neslink("plan", file, "--detailed-exitcode").status).toBe(0);
  });
});
