import { describe, expect, it } from "vitest";
import { setUp } from "../actions/link-actions.js";
import { create, name } from "../namespace/providers.js";
import { nsAction } from "../validate/actions.js";
import { byName, newGretap, newLink, newMacvlan, newVeth, newVxlan } from "./providers.js";

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

  it("newVxlan reads each option once (a getter that changes cannot pass one check and give another value)", () => {
    const reads: Record<string, number> = {};
    const counted = (key: string, value: unknown) => ({
      get: () => {
        reads[key] = (reads[key] ?? 0) + 1;
        return value;
      },
      enumerable: true,
    });
    const options = Object.defineProperties({}, { id: counted("id", 7), mtu: counted("mtu", 1400), remote: counted("remote", "10.0.0.2") });
    expect(newVxlan("vx", options as never)).toEqual({
      kind: "new",
      spec: { name: "vx", type: "vxlan", mtu: 1400, vxlan: { id: 7, remote: "10.0.0.2" } },
    });
    expect(reads).toEqual({ id: 1, mtu: 1, remote: 1 });
  });

  it("newLink takes any kind as the per-kind constructors build it", () => {
    expect(newLink({ type: "macvlan", name: "mv", parent: byName("eth0"), macvlan: { mode: "bridge" }, mtu: 1400 })).toEqual(
      newMacvlan("mv", byName("eth0"), "bridge", { mtu: 1400 }),
    );
    expect(newLink({ type: "gretap", name: "gt", gretap: { local: "10.0.0.1" } })).toEqual(newGretap("gt", { local: "10.0.0.1" }));
    expect(newLink({ type: "bridge", name: "br0", up: true })).toEqual({ kind: "new", spec: { name: "br0", type: "bridge", up: true } });
  });

  it("newLink holds a kind to the codec's rules, naming the field", () => {
    expect(() => newLink({ type: "macvlan", name: "mv" })).toThrow(/^parent: is needed for a macvlan link/);
    expect(() => newLink({ type: "bridge", name: "br0", parent: byName("eth0") })).toThrow(/^parent: is not a field of a bridge link/);
    expect(() => newLink({ type: "vxlan", name: "vx" })).toThrow(/^vxlan: is needed for a vxlan link/);
    expect(() => newLink({ type: "bridge", name: "br0", macvlan: { mode: "bridge" } } as never)).toThrow(/^macvlan: is not a field/);
    expect(() => newLink({ type: "macvlan", name: "mv", parent: byName("eth0"), macvlan: { mode: 4 } } as never)).toThrow(
      /^macvlan\.mode: must be string or null/,
    );
  });

  it("refuse bad input naming the field", () => {
    expect(() => newVeth("v0", { name: "eth0", ns: create() })).toThrow(/^veth\.peer\.ns:/);
    expect(() => newVeth("v0", { name: "eth0" }, { mtu: 10 })).toThrow(/^mtu:/);
    expect(() => newVxlan("vx", { id: 1, multicastGroup: "nope" })).toThrow(/^vxlan\.group:/);
    expect(() => newMacvlan("mv", byName("eth0"), "sideways" as never)).toThrow(/^macvlan\.mode: /);
  });

  it("take `ns` (made directly in another namespace) where nothing but the parent is looked up where it is sent from", () => {
    expect(newMacvlan("mv", byName("eth0"), "bridge", { ns: name("lab") })).toEqual({
      kind: "new",
      spec: { name: "mv", type: "macvlan", parent: { kind: "name", name: "eth0" }, macvlan: { mode: "bridge" }, ns: name("lab") },
    });
    expect(() => newMacvlan("mv", byName("eth0"), "bridge", { ns: create() })).toThrow(/^ns: must be an existing namespace/);
    expect(() => newMacvlan("mv", byName("eth0"), "bridge", { ns: name("lab"), master: byName("br0") })).toThrow(
      /^master: cannot be given for a link made in another namespace/,
    );
    expect(() => newVeth("v0", { name: "eth0" }, { ns: name("lab") })).toThrow(/^ns: is not a field of a veth link/);
    // Its actions would run where the link is not.
    expect(() => nsAction("a", { kind: "link", link: newVxlan("vx", { id: 1, ns: name("lab") }), actions: [setUp()] })).toThrow(
      /^a\.actions: must be empty for a link created in another namespace/,
    );
  });
});
