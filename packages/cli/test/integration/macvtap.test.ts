// `neslink link add macvtap ...`: a kind the CLI has no code for, whose keywords come from the options schema the
// codec generates (src/link/kinds/macvtap.rs), run from the built bin and checked with ip -j -d.
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const prefix = uniquePrefix("nm");
afterAll(() => cleanup(prefix));

type IpLink = { ifname: string; link?: string; linkinfo?: { info_kind: string; info_data?: { mode?: string } } };
const linkIn = (netns: string, name: string) => ipJson<IpLink[]>("-n", netns, "-d", "link", "show", "dev", name)[0] as IpLink;

describe("neslink link add macvtap", () => {
  it("creates a macvtap on its parent in the mode given, and refuses bad keywords naming them", () => {
    const lab = `${prefix}a`;
    expect(neslink("ns", "add", lab).status).toBe(0);
    ip("-n", lab, "link", "add", "mvp0", "type", "veth", "peer", "name", "mvp1");

    const made = json("link", "add", "macvtap", "tap0", "link", "mvp0", "mode", "bridge", "up", "-n", lab);
    expect(made).toMatchObject({ status: 0, body: { name: "tap0", kind: "macvtap", up: true } });
    expect(linkIn(lab, "tap0")).toMatchObject({ link: "mvp0", linkinfo: { info_kind: "macvtap", info_data: { mode: "bridge" } } });

    const badMode = neslink("link", "add", "macvtap", "tap1", "link", "mvp0", "mode", "sideways", "-n", lab);
    expect(badMode.status).toBe(2);
    expect(badMode.stderr).toContain("macvtap.mode");
    const noParent = neslink("link", "add", "macvtap", "tap1", "-n", lab);
    expect(noParent.status).toBe(2);
    expect(noParent.stderr).toContain("link: is required");
    expect(neslink("link", "add", "macvtap", "tap1", "link", "mvp0", "peer", "x", "-n", lab).stderr).toContain(
      'peer: is not a keyword of "neslink link add macvtap" (expected one of: mtu, address, master, group, up, netns, link, mode)',
    );
    expect(ipJson<IpLink[]>("-n", lab, "link", "show").map((l) => l.ifname)).not.toContain("tap1");
    expect(neslink("link", "add", "--help").stdout).toContain("macvtap  link PARENT [mode private|vepa|bridge|passthru|source]");
  });

  it("link list --json gives each macvtap's mode as the kernel reports it, under macvtap, as link add takes it", () => {
    const lab = `${prefix}b`;
    expect(neslink("ns", "add", lab).status).toBe(0);
    ip("-n", lab, "link", "add", "mvp0", "type", "veth", "peer", "name", "mvp1");
    // No mode: the kernel's default, vepa.
    ip("-n", lab, "link", "add", "link", "mvp0", "name", "tap0", "type", "macvtap");
    ip("-n", lab, "link", "add", "link", "mvp0", "name", "tap1", "type", "macvtap", "mode", "private");
    ip("-n", lab, "link", "add", "link", "mvp1", "name", "tap2", "type", "macvtap", "mode", "passthru");
    const listed = json("link", "list", "-n", lab);
    expect(listed.status).toBe(0);
    const links = listed.body as { name: string; kind: string | null; macvtap?: unknown; macvlan?: unknown }[];
    const taps = links.filter((l) => l.kind === "macvtap");
    expect(taps.map((l) => [l.name, l.macvtap])).toEqual(
      ["tap0", "tap1", "tap2"].map((name) => [name, { mode: linkIn(lab, name).linkinfo?.info_data?.mode }]),
    );
    expect(taps.map((l) => (l.macvtap as { mode: string }).mode)).toEqual(["vepa", "private", "passthru"]);
    // Only a macvtap carries it, and a macvtap carries no macvlan's.
    expect(links.filter((l) => l.macvtap !== undefined || l.macvlan !== undefined).map((l) => l.name)).toEqual(["tap0", "tap1", "tap2"]);
    expect(taps.every((l) => l.macvlan === undefined)).toBe(true);
  });
});
