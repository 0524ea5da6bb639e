// `neslink link add KIND NAME ... netns NS`: the link made directly in NS from the namespace of -n, where its parent
// is (as `ip link add link p0 name mv0 netns NS type macvlan`), run from the built bin and checked with ip -j -d in both.
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const prefix = uniquePrefix("na");
afterAll(() => cleanup(prefix));

type IpLink = {
  ifname: string;
  link_netnsid?: number;
  linkinfo?: { info_kind: string; info_data?: { mode?: string; id?: number; link?: string } };
};
const names = (netns: string) => ipJson<IpLink[]>("-n", netns, "link", "show").map((l) => l.ifname);
const linkIn = (netns: string, name: string) => ipJson<IpLink[]>("-n", netns, "-d", "link", "show", "dev", name)[0] as IpLink;

describe("neslink link add ... netns NS", () => {
  const parentNs = `${prefix}p`;
  const targetNs = `${prefix}t`;

  it("makes a macvlan and a vxlan in NS on a parent of the -n namespace, nothing of them there", () => {
    for (const n of [parentNs, targetNs]) expect(neslink("ns", "add", n).status).toBe(0);
    ip("-n", parentNs, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
    const before = names(parentNs);

    const mv = json("link", "add", "macvlan", "mv0", "link", "p0", "mode", "vepa", "mtu", "1400", "netns", targetNs, "-n", parentNs);
    expect(mv).toMatchObject({ status: 0, body: { name: "mv0", kind: "macvlan", mtu: 1400 } });
    const vx = json("link", "add", "vxlan", "vx0", "id", "4242", "dstport", "4789", "dev", "p0", "netns", targetNs, "-n", parentNs);
    expect(vx).toMatchObject({ status: 0, body: { name: "vx0", kind: "vxlan" } });

    // The parent is in the other namespace: the kernel names it by that namespace's nsid.
    expect(linkIn(targetNs, "mv0")).toMatchObject({
      link_netnsid: expect.any(Number),
      linkinfo: { info_kind: "macvlan", info_data: { mode: "vepa" } },
    });
    expect(linkIn(targetNs, "vx0")).toMatchObject({ linkinfo: { info_kind: "vxlan", info_data: { id: 4242 } } });
    expect(names(parentNs)).toEqual(before);
  });

  it("refuses what cannot be made there, naming the word, and makes nothing", () => {
    const taken = neslink("link", "add", "macvlan", "mv0", "link", "p0", "netns", targetNs, "-n", parentNs);
    expect(taken.status).not.toBe(0);
    expect(taken.stderr).toMatch(/already exists/);
    const noParent = neslink("link", "add", "macvlan", "mv1", "link", "nope0", "netns", targetNs, "-n", parentNs);
    expect(noParent.status).not.toBe(0);
    expect(noParent.stderr).toMatch(/nope0/);
    const withMaster = neslink("link", "add", "bridge", "br9", "master", "p1", "netns", targetNs, "-n", parentNs);
    expect(withMaster.status).toBe(2);
    expect(withMaster.stderr).toContain("master");
    const missing = neslink("link", "add", "bridge", "br9", "netns", `${prefix}none`, "-n", parentNs);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`${prefix}none`);
    for (const n of [parentNs, targetNs]) expect(names(n).filter((l) => /^(mv1|br9)$/.test(l))).toEqual([]);
  });

  it("keeps a veth's netns as its peer's, and says netns in link add --help", () => {
    expect(neslink("link", "add", "veth", "ve0", "peer", "ve1", "netns", targetNs, "-n", parentNs).status).toBe(0);
    expect(names(parentNs)).toContain("ve0");
    expect(names(targetNs)).toContain("ve1");
    expect(neslink("link", "add", "--help").stdout).toContain("netns NS (made directly in NS");
  });
});
