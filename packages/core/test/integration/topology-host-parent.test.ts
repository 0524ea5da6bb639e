/**
 * A vxlan's or macvlan's parent is a link of the host namespace, looked up there when apply makes it: one the host
 * does not have (a typo, a host not set up yet) is refused by plan and apply before any change, rather than failing
 * apply part-way with the lab's namespaces and veths made.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix, withLab } from "./kernel.js";

// The lab's name is the prefix, so its namespaces (<prefix>-<node>) and the host bridge <prefix>p fall under cleanup.
const prefix = uniquePrefix("thp");
const parent = `${prefix}p`;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const lab = (macvlanParent: string) =>
  topology.load(
    [
      `name: ${prefix}`,
      "nodes:",
      "  a:",
      "    interfaces:",
      `      mv0: { kind: macvlan, parent: ${macvlanParent} }`,
      `      vx0: { kind: vxlan, id: 42, remote: 192.0.2.1, parent: ${prefix}q }`,
      "      vx1: { kind: vxlan, id: 43, remote: 192.0.2.1 }",
      "  b: {}",
      "links:",
      "  - endpoints: [a:eth0, b:eth0]",
      "",
    ].join("\n"),
  );

describe("a vxlan or macvlan on a host link the host does not have", () => {
  it("is refused by plan and apply, naming each, with nothing made", async () => {
    const t = lab(`${prefix}x`);
    const lines = [`  node a: macvlan mv0 on host link "${prefix}x"`, `  node a: vxlan vx0 on host link "${prefix}q"`];
    await expect(topology.plan(t)).rejects.toMatchObject({
      code: "ERR_LINK_NOT_FOUND",
      message: `topology ${prefix} needs links that the host namespace (the one neslink runs in) does not have:\n${lines.join("\n")}`,
    });
    await expect(topology.apply(t)).rejects.toMatchObject({
      code: "ERR_LINK_NOT_FOUND",
      message: expect.stringContaining("does not have; nothing was changed:"),
    });
    expect(netnsList(prefix)).toEqual([]);
  });

  it("is planned as usual once the host has them (a vxlan without parent needs none)", async () => {
    ip("link", "add", parent, "type", "bridge");
    ip("link", "add", `${prefix}q`, "type", "bridge");
    const { changes } = await topology.plan(lab(parent));
    expect(
      changes
        .filter((c) => c.object === "link" && c.op === "create" && (c.kind === "macvlan" || c.kind === "vxlan"))
        .map(topology.describeChange),
    ).toEqual([
      `+ link macvlan a:mv0 on host link ${parent} (bridge)`,
      `+ link vxlan a:vx0 on host link ${prefix}q (id 42 remote 192.0.2.1)`,
      "+ link vxlan a:vx1 (id 43 remote 192.0.2.1)",
    ]);
  });

  it("takes a parent named by one of its altnames, as the kernel finds it (a dump lists only its name)", async () => {
    const alt = `${prefix}alt`;
    ip("link", "add", `${prefix}r`, "type", "bridge");
    ip("link", "property", "add", "dev", `${prefix}r`, "altname", alt);
    const t = topology.load({ name: prefix, nodes: { a: { interfaces: { mv0: { kind: "macvlan", parent: alt } } } } });
    await withLab(prefix, async () => {
      await topology.apply(t);
      const [mv0] = ipJson<{ link?: string; linkinfo?: { info_kind?: string } }[]>("-n", `${prefix}-a`, "link", "show", "mv0");
      expect(mv0?.linkinfo?.info_kind).toBe("macvlan");
      expect((await topology.plan(t)).changes).toEqual([]);
    });
  });
});
