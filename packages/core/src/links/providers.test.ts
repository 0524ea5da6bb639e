import { describe, expect, it } from "vitest";
import { create, name } from "../namespace/providers.js";
import { byName, newMacvlan, newVeth, newVxlan } from "./providers.js";

describe("link providers", () => {
  it("describe what to create as plain, cloneable data", () => {
    const veth = newVeth("v0", { name: "eth0", ns: name("lab") }, { master: byName("br0"), up: true, mtu: 9000 });
    expect(structuredClone(veth)).toEqual({
      kind: "new",
      spec: {
        name: "v0",
        type: "veth",
        mtu: 9000,
        master: { kind: "name", name: "br0" },
        up: true,
        veth: { peer: { name: "eth0", ns: { kind: "name", name: "lab", dir: "/run/netns" } } },
      },
    });
  });

  it("refuse bad input naming the field", () => {
    expect(() => newVeth("v0", { name: "eth0", ns: create() })).toThrow(/^veth\.peer\.ns:/);
    expect(() => newVeth("v0", { name: "eth0" }, { mtu: 10 })).toThrow(/^mtu:/);
    expect(() => newVxlan("vx", { id: 1, multicastGroup: "nope" })).toThrow(/^vxlan\.group:/);
    expect(() => newMacvlan("mv", byName("eth0"), "sideways" as never)).toThrow(/^macvlan\.mode: /);
  });
});
