/**
 * A new vxlan or macvlan is made up in its node by its creation, as a bridge
 * or a veth is: a plan counts one change for it, not a creation and then an
 * "up" update (which made `plan` say "1 to change" for a lab never applied).
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix, withLab } from "./kernel.js";

// The lab's name is the prefix, so its namespace (<prefix>-a) and the host veth <prefix>p fall under cleanup.
const prefix = uniquePrefix("zn2");
const parent = `${prefix}p`;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

describe("a new vxlan or macvlan", () => {
  it("is made up by its creation, or left down if the file says so, with no update change of its own", async () => {
    ip("link", "add", parent, "type", "veth", "peer", "name", `${prefix}q`);
    const lab = topology.load(
      [
        `name: ${prefix}`,
        "nodes:",
        "  a:",
        "    interfaces:",
        `      vx0: { kind: vxlan, id: 4242, remote: 192.0.2.1, port: 4789, parent: ${parent} }`,
        `      mv0: { kind: macvlan, parent: ${parent}, mode: bridge }`,
        `      mv1: { kind: macvlan, parent: ${parent}, mode: bridge, up: false }`,
        "",
      ].join("\n"),
    );
    await withLab(prefix, async () => {
      const plan = await topology.plan(lab);
      expect(plan.changes.filter((c) => c.object === "link").map((c) => [topology.describeChange(c), c.op === "create" && c.up])).toEqual([
        [`+ link macvlan a:mv0 on host link ${parent} (bridge)`, true],
        [`+ link macvlan a:mv1 on host link ${parent} (bridge)`, false],
        [`+ link vxlan a:vx0 on host link ${parent} (id 4242 remote 192.0.2.1 port 4789)`, true],
      ]);
      expect(plan.summary).toMatchObject({ change: 0, destroy: 0 });

      const applied = await topology.apply(lab);
      expect(applied.summary).toEqual(plan.summary);
      const links = ipJson<{ ifname: string; flags: string[] }[]>("-n", `${prefix}-a`, "link", "show");
      const up = Object.fromEntries(links.map((l) => [l.ifname, l.flags.includes("UP")]));
      expect(up).toMatchObject({ vx0: true, mv0: true, mv1: false });
      expect((await topology.plan(lab)).changes).toEqual([]);
    });
  });
});
