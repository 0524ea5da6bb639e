/**
 * A lab's link replaced by hand with one made in a third namespace (neither
 * the host nor a node) is not the lab's: a veth whose far end stays there,
 * even with every index the planner compares made to fit, and a vxlan or
 * macvlan made there (its socket or parent is that namespace's), even with
 * every attribute the file gives. plan shows each as drift with its reason,
 * apply makes it again, and iproute2 then shows its peer or origin where the
 * lab puts it.
 */
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("too");
const third = `${prefix}-x`;
// A host bridge for the macvlan's parent: under the prefix, so cleanup removes it.
const parent = `${prefix}p`;
// A VNI of this file's own: two vxlans of one VNI and port in one namespace would be refused (another test may run alongside).
const vni = 2_000_000 + (Number.parseInt(prefix.slice(3), 16) % 1_000_000) * 10;

/**
 * Two nodes joined by a veth pair; `tunnels`: b has a vxlan and a macvlan too. Plan judges the pair from a (the first
 * of the nodes with the most veths, see lab-ids.ts), and b's vxlan and macvlan by b's own nsids.
 */
const lab = (tunnels = false): Topology =>
  topology.load({
    name: prefix,
    nodes: {
      a: {},
      b: tunnels ? { interfaces: { vx0: { kind: "vxlan", id: vni, remote: "192.0.2.1" }, mv0: { kind: "macvlan", parent } } } : {},
    },
    links: [{ endpoints: ["a:e0", "b:e0"] }],
  });

interface IpLink {
  ifname: string;
  ifindex: number;
  link_index?: number;
  link_netnsid?: number;
}
const linkOf = (netns: string, name: string) => ipJson<IpLink[]>("-n", netns, "link", "show", name)[0] as IpLink;
/** The name iproute2 gives the namespace `netns` knows by `nsid`: null for one with no name under /run/netns (the host's). */
function nsidName(netns: string, nsid: number | undefined): string | null {
  const ids = JSON.parse(ip("-n", netns, "-j", "netns", "list-id") || "[]") as { nsid: number; name?: string }[];
  const found = ids.find((i) => i.nsid === nsid);
  if (found === undefined) throw new Error(`no nsid ${nsid} in ${netns}`);
  return found.name ?? null;
}
const planned = async (t: Topology) => (await topology.plan(t)).changes.map(topology.describeChange);

beforeAll(() => {
  ip("link", "add", parent, "type", "bridge");
});

afterEach(async () => {
  try {
    await topology.destroy(prefix);
  } finally {
    if (ip("netns", "list").includes(third)) ip("netns", "del", third);
  }
});

afterAll(async () => {
  try {
    cleanup(prefix);
  } finally {
    await closeDefaultPool();
  }
});

describe("a link made by hand in a third namespace is not the lab's", () => {
  it("a veth pair replaced by two whose far ends stay there, indexes made to fit, is made again", async () => {
    const t = lab();
    await topology.apply(t);
    expect(await planned(t)).toEqual([]);
    const [a, b] = [`${prefix}-a`, `${prefix}-b`];
    ip("netns", "add", third);
    ip("-n", a, "link", "del", "e0");
    // Each end's peer index is the other end's index, as a pair's are: only where the peers live tells them apart.
    ip("-n", third, "link", "add", "pa", "index", "21", "type", "veth", "peer", "name", "e0", "netns", a, "index", "20");
    ip("-n", third, "link", "add", "pb", "index", "20", "type", "veth", "peer", "name", "e0", "netns", b, "index", "21");
    const ends = [linkOf(a, "e0"), linkOf(b, "e0")];
    expect(ends.map((l) => [l.ifindex, l.link_index])).toEqual([
      [20, 21],
      [21, 20],
    ]);
    expect([nsidName(a, ends[0]?.link_netnsid), nsidName(b, ends[1]?.link_netnsid)]).toEqual([third, third]);

    // A pair is judged from one end, a's (b's nsids are not asked for): b's is then not a's peer either.
    const changes = await planned(t);
    expect(changes).toEqual([
      "- link veth a:e0 (its peer is in a namespace outside the lab)",
      "- link veth b:e0 (its peer is not a:e0)",
      expect.stringMatching(/^\+ link veth a:e0 <-> b:e0/),
    ]);
    await topology.apply(t);
    const [ea, eb] = [linkOf(a, "e0"), linkOf(b, "e0")];
    expect([ea.link_index, eb.link_index]).toEqual([eb.ifindex, ea.ifindex]);
    expect([nsidName(a, ea.link_netnsid), nsidName(b, eb.link_netnsid)]).toEqual([b, a]);
    expect(await planned(t)).toEqual([]);
  });

  it("a vxlan and a macvlan made there with the file's attributes, moved into the node, are made again from the host", async () => {
    const t = lab(true);
    await topology.apply(t);
    const b = `${prefix}-b`;
    const hostParent = (ipJson<IpLink[]>("link", "show", parent)[0] as IpLink).ifindex;
    ip("netns", "add", third);
    ip("-n", b, "link", "del", "vx0");
    ip("-n", b, "link", "del", "mv0");
    // The file's id and remote, the kernel's default port; made there, then moved in.
    ip("-n", third, "link", "add", "vx0", "type", "vxlan", "id", `${vni}`, "remote", "192.0.2.1", "dstport", "0");
    ip("-n", third, "link", "set", "vx0", "netns", b);
    // On a parent of the same index as the host's, in bridge mode: made directly in the node from there.
    ip("-n", third, "link", "add", "px", "index", `${hostParent}`, "type", "bridge");
    ip("-n", third, "link", "add", "link", "px", "name", "mv0", "netns", b, "type", "macvlan", "mode", "bridge");
    for (const name of ["vx0", "mv0"]) expect(nsidName(b, linkOf(b, name).link_netnsid)).toBe(third);
    expect(linkOf(b, "mv0").link_index).toBe(hostParent);

    const changes = await planned(t);
    expect(changes.filter((c) => c.startsWith("- "))).toEqual([
      "- link macvlan b:mv0 (made in a namespace outside the lab, not from the host)",
      "- link vxlan b:vx0 (made in a namespace outside the lab, not from the host)",
    ]);
    expect(changes.filter((c) => c.startsWith("+ ")).map((c) => c.split(" ").slice(0, 4).join(" "))).toEqual([
      "+ link macvlan b:mv0",
      "+ link vxlan b:vx0",
    ]);
    await topology.apply(t);
    // Made from the host again: their nsid in the node names no namespace under /run/netns.
    for (const name of ["vx0", "mv0"]) expect(nsidName(b, linkOf(b, name).link_netnsid)).toBe(null);
    expect(await planned(t)).toEqual([]);
  });
});
