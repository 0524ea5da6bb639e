/**
 * A lab's vxlan or macvlan whose attributes differ from the file's (the file
 * edited, or a link of that name made by hand) is made again: plan shows a
 * delete saying what differs and a create, apply carries both out, and the
 * kernel then has what the file says. The kernel refuses most of these
 * changes on a link that exists (`Cannot change VNI.`), so it is never set in
 * place. What the file leaves out is the kernel's default (a vxlan's port) or
 * none, and does not show as drift.
 */
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ttd");
const node = `${prefix}-a`;
// Host bridges for parents: under the prefix, so cleanup removes them.
const p = `${prefix}p`;
const q = `${prefix}q`;
// VNIs of this file's own: two vxlans of one VNI and port in the host would be refused (another test may run alongside).
const vni = 1_000_000 + (Number.parseInt(prefix.slice(3), 16) % 1_000_000) * 10;

type Spec = Record<string, string | number>;
const BASE: Record<string, Spec> = {
  // No port: the kernel's default.
  vx0: { kind: "vxlan", id: vni, remote: "192.0.2.1", local: "198.51.100.1", parent: p },
  vx1: { kind: "vxlan", id: vni + 1, group: "239.1.1.1", parent: p, port: 4789 },
  // Written as the kernel does not write it.
  vx6: { kind: "vxlan", id: vni + 2, remote: "2001:db8:0::1" },
  mv0: { kind: "macvlan", parent: p, mode: "private" },
  // No mode: bridge.
  mv1: { kind: "macvlan", parent: q },
};

/** Fields of interfaces to change (to undefined: left out). */
type Edit = Record<string, Record<string, string | number | undefined>>;

/** The lab, with `edit` over its interfaces. */
function lab(edit: Edit = {}): Topology {
  const interfaces = Object.fromEntries(
    Object.entries(BASE).map(([name, spec]) => [
      name,
      Object.fromEntries(Object.entries({ ...spec, ...edit[name] }).filter(([, v]) => v !== undefined)),
    ]),
  );
  return topology.load({ name: prefix, nodes: { a: { interfaces } } });
}

interface IpLink {
  ifname: string;
  link_index?: number;
  link_netnsid?: number;
  linkinfo: { info_kind: string; info_data: Record<string, unknown> };
}
/** A link of the node as `ip -j -d link show` gives it. */
const live = (name: string) => (ipJson<IpLink[]>("-n", node, "link", "show", name)[0] as IpLink).linkinfo.info_data;
const hostIndex = (name: string) => (ipJson<{ ifindex: number }[]>("link", "show", name)[0] as { ifindex: number }).ifindex;
const planned = async (t: Topology) => (await topology.plan(t)).changes.map(topology.describeChange);

beforeAll(() => {
  ip("link", "add", p, "type", "bridge");
  ip("link", "add", q, "type", "bridge");
});

afterAll(async () => {
  try {
    await topology.destroy(prefix);
  } finally {
    cleanup(prefix);
    await closeDefaultPool();
  }
});

describe("a vxlan's or macvlan's attributes against the file's", () => {
  // Each edit of the file: what plan says differs, what `ip -j -d` shows of it once applied, and what that must be.
  const data = (field: string) => (l: IpLink) => l.linkinfo.info_data[field] ?? null;
  const edits: [string, string, Edit, string, (l: IpLink) => unknown, () => unknown][] = [
    ["vx0", "id", { vx0: { id: vni + 5 } }, `id ${vni} -> ${vni + 5}`, data("id"), () => vni + 5],
    ["vx0", "remote", { vx0: { remote: "192.0.2.2" } }, "remote 192.0.2.1 -> 192.0.2.2", data("remote"), () => "192.0.2.2"],
    ["vx0", "local", { vx0: { local: "198.51.100.2" } }, "local 198.51.100.1 -> 198.51.100.2", data("local"), () => "198.51.100.2"],
    ["vx0", "local left out", { vx0: { local: undefined } }, "local 198.51.100.1 -> (none)", data("local"), () => null],
    ["vx0", "port", { vx0: { port: 4789 } }, "port 8472 -> 4789", data("port"), () => 4789],
    ["vx0", "parent", { vx0: { parent: q } }, `parent ${p} -> ${q}`, data("link"), () => `if${hostIndex(q)}`],
    ["vx1", "group", { vx1: { group: "239.1.1.2" } }, "group 239.1.1.1 -> 239.1.1.2", data("group"), () => "239.1.1.2"],
    ["vx1", "port left out", { vx1: { port: undefined } }, "port 4789 -> 8472", data("port"), () => 8472],
    [
      "vx1",
      "group made a remote",
      { vx1: { group: undefined, remote: "192.0.2.3" } },
      "remote (none) -> 192.0.2.3, group 239.1.1.1 -> (none)",
      (l) => [data("remote")(l), data("group")(l)],
      () => ["192.0.2.3", null],
    ],
    ["vx6", "remote", { vx6: { remote: "2001:db8::2" } }, "remote 2001:db8::1 -> 2001:db8::2", data("remote6"), () => "2001:db8::2"],
    ["mv0", "mode", { mv0: { mode: "vepa" } }, "mode private -> vepa", data("mode"), () => "vepa"],
    [
      "mv1",
      "parent",
      { mv1: { parent: p } },
      `parent ${q} -> ${p}`,
      (l) => [l.link_index, l.link_netnsid !== undefined],
      () => [hostIndex(p), true],
    ],
  ];

  it.each(edits)("%s: its %s edited is planned as the link made again, and applied", async (name, _, edit, reason, shown, expected) => {
    const base = lab();
    await topology.apply(base);
    expect(await planned(base)).toEqual([]);
    const edited = lab(edit);
    const plan = await topology.plan(edited);
    const kind = BASE[name]?.kind as string;
    // Made again up, by its creation: no update of its own follows.
    expect(plan.changes.map(topology.describeChange)).toEqual([
      `- link ${kind} a:${name} (${reason})`,
      expect.stringMatching(new RegExp(`^\\+ link ${kind} a:${name} `)),
    ]);
    // The object it is to, and the link's kind: the kernel's of the one deleted, the file's of the one made.
    expect(plan.changes.map((c) => [c.op, c.object, "kind" in c ? c.kind : undefined])).toEqual([
      ["delete", "link", kind],
      ["create", "link", kind],
    ]);
    expect(plan.changes[0]).toEqual({ op: "delete", object: "link", kind, node: "a", netns: node, name, reason });
    expect(plan.changes[1]).toMatchObject({ op: "create", up: true });
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 1 });

    const result = await topology.apply(edited);
    expect(result.summary).toEqual({ add: 1, change: 0, destroy: 1 });
    const [now] = ipJson<IpLink[]>("-n", node, "link", "show", name);
    expect(shown(now as IpLink)).toEqual(expected());
    expect(ipJson<{ flags: string[] }[]>("-n", node, "link", "show", name)[0]?.flags).toContain("UP");
    expect(await planned(edited)).toEqual([]);
  });

  it("a vxlan of the lab's name made by hand with another remote, or port, or inside the node, is made again as the file says", async () => {
    const base = lab();
    await topology.apply(base);
    // As the file says, with the kernel's defaults for what it leaves out (a port, a mode), and an IPv6 address as the kernel writes it.
    expect(live("vx0")).toMatchObject({ id: vni, remote: "192.0.2.1", local: "198.51.100.1", port: 8472, link: `if${hostIndex(p)}` });
    expect(live("vx1")).toMatchObject({ id: vni + 1, group: "239.1.1.1", port: 4789 });
    expect(live("vx6")).toMatchObject({ id: vni + 2, remote6: "2001:db8::1", port: 8472 });
    expect(live("mv1")).toMatchObject({ mode: "bridge" });
    expect(await planned(base)).toEqual([]);
    // The kernel's default port, written out, is the same link.
    expect(await planned(lab({ vx0: { port: 8472 } }))).toEqual([]);
    // As the lab makes it (from the host, into the node), but for its remote.
    ip("-n", node, "link", "del", "vx0");
    ip(
      "link",
      "add",
      "vx0",
      "netns",
      node,
      "type",
      "vxlan",
      "id",
      `${vni}`,
      "remote",
      "192.0.2.99",
      "local",
      "198.51.100.1",
      "dev",
      p,
      "dstport",
      "0",
    );
    // A port the file does not give: not the kernel's default.
    ip("-n", node, "link", "del", "vx6");
    ip("link", "add", "vx6", "netns", node, "type", "vxlan", "id", `${vni + 2}`, "remote", "2001:db8::1", "dstport", "4789");
    // Made inside the node: the same attributes, but its socket is the node's, not the host's.
    ip("-n", node, "link", "del", "mv1");
    ip("-n", node, "link", "add", "vx9", "type", "bridge");
    ip("-n", node, "link", "add", "link", "vx9", "name", "mv1", "type", "macvlan", "mode", "bridge");
    const changes = await planned(base);
    expect(changes.filter((c) => c.startsWith("- "))).toEqual([
      "- link macvlan a:mv1 (made in the node, not from the host)",
      "- link vxlan a:vx0 (remote 192.0.2.99 -> 192.0.2.1)",
      "- link vxlan a:vx6 (port 4789 -> 8472)",
      "- link bridge a:vx9",
    ]);
    await topology.apply(base);
    expect(live("vx0")).toMatchObject({ remote: "192.0.2.1" });
    expect(live("vx6")).toMatchObject({ port: 8472 });
    const [mv1] = ipJson<IpLink[]>("-n", node, "link", "show", "mv1");
    expect([mv1?.link_index, mv1?.link_netnsid !== undefined]).toEqual([hostIndex(q), true]);
    expect(await planned(base)).toEqual([]);
  });
});
