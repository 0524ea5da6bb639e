// macvtap, a kind added to the codec as one file (src/link/kinds/macvtap.rs): created through core's generic
// provider, held to the codec's rules, and checked with iproute2 in the namespace.
import { closeDefaultPool, la, linkDo, lp, ns, nsDo } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";
import { refusedField } from "./refusal.js";

const prefix = uniquePrefix("mt");
const lab = `${prefix}x`;

beforeAll(async () => {
  await nsDo(ns.createNamed(lab));
  await linkDo(ns.name(lab), lp.veth("mtp0", { name: "mtp1" }), la.up());
});
afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
});

type IpLink = {
  ifname: string;
  ifindex: number;
  link?: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data?: { mode?: string } };
};
const ipLink = (name: string) => ipJson<IpLink[]>("-n", lab, "-d", "link", "show", "dev", name)[0] as IpLink;

describe("macvtap through core", () => {
  it("is created on its parent in the mode asked for, as iproute2 reports it", async () => {
    const { link } = await linkDo(
      ns.name(lab),
      lp.new({ type: "macvtap", name: "mt0", parent: lp.name("mtp0"), macvtap: { mode: "bridge" }, up: true }),
    );
    const shown = ipLink("mt0");
    expect(shown.linkinfo).toMatchObject({ info_kind: "macvtap", info_data: { mode: "bridge" } });
    expect(shown.link).toBe("mtp0");
    expect(shown.flags).toContain("UP");
    expect(link).toMatchObject({ name: "mt0", kind: "macvtap", index: shown.ifindex, parentIndex: ipLink("mtp0").ifindex });
  });

  it("without options gets the kernel's default mode, and is deleted like any link", async () => {
    await linkDo(ns.name(lab), lp.new({ type: "macvtap", name: "mt1", parent: lp.name("mtp0") }));
    expect(ipLink("mt1").linkinfo).toMatchObject({ info_kind: "macvtap", info_data: { mode: "vepa" } });
    await linkDo(ns.name(lab), lp.name("mt1"), la.delete());
    expect(ipJson<IpLink[]>("-n", lab, "link", "show").map((l) => l.ifname)).not.toContain("mt1");
  });

  it("refuses what the codec's rules refuse, naming the field, before anything is made", () => {
    expect(refusedField(() => lp.new({ type: "macvtap", name: "mt2" }))).toBe("parent");
    const mode = "sideways" as "bridge";
    expect(refusedField(() => lp.new({ type: "macvtap", name: "mt2", parent: lp.name("mtp0"), macvtap: { mode } }))).toBe("macvtap.mode");
    const junk = { mode: "bridge", flags: 1 } as { mode: "bridge" };
    expect(refusedField(() => lp.new({ type: "macvtap", name: "mt2", parent: lp.name("mtp0"), macvtap: junk }))).toBe("macvtap.flags");
    expect(refusedField(() => lp.new({ type: "bridge", name: "mt2", macvtap: { mode: "bridge" } } as never))).toBe("macvtap");
    expect(ipJson<IpLink[]>("-n", lab, "link", "show").map((l) => l.ifname)).not.toContain("mt2");
  });

  it("a hand-built spec sent to the worker meets the same rules", async () => {
    const spec = { name: "mt3", type: "macvtap", parent: { kind: "name", name: "mtp0" }, macvtap: { mode: "private" } };
    await linkDo(ns.name(lab), { kind: "new", spec } as never);
    expect(ipLink("mt3").linkinfo).toMatchObject({ info_kind: "macvtap", info_data: { mode: "private" } });
    const bad = { kind: "new", spec: { ...spec, name: "mt4", macvtap: { mode: 4 } } } as never;
    await expect(linkDo(ns.name(lab), bad)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "link.spec.macvtap.mode" });
  });
});
