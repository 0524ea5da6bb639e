import type { Link } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { hostMadeDiffers } from "./host-made.js";
import { HOST } from "./live.js";
import { load } from "./load.js";

/** The host: a bridge known also by an altname (a dump lists its name; readHostLinks adds the altname a file gives). */
const host = new Map([
  ["br0", 7],
  ["uplink-alt", 7],
  ["br1", 8],
]);

type Interface = Parameters<typeof hostMadeDiffers>[0];
const iface = (spec: Record<string, unknown>) =>
  load({ name: "hm", nodes: { a: { interfaces: { x: spec } } } } as never).nodes[0]?.interfaces[0] as Interface;

/** What the node's nsids name (labNamespaceIds): 0 the host, 1 another node's namespace; any other, one outside the lab. */
const told = new Map([
  [0, HOST],
  [1, "hm-b"],
]);

/** A vxlan or macvlan as the kernel dumps it in its node, made from the host (which the node knows as nsid 0). */
const live = (extra: Partial<Link>): Link =>
  ({
    index: 3,
    name: "x",
    flags: 0,
    up: true,
    mtu: 1450,
    mac: "02:00:00:00:00:01",
    operstate: "unknown",
    kind: "vxlan",
    masterIndex: null,
    alias: null,
    group: 0,
    linkNetnsid: 0,
    parentIndex: 3,
    ...extra,
  }) as Link;

describe("hostMadeDiffers", () => {
  it("finds nothing where the kernel reports what the file says, by the parent's altname and an address written otherwise", () => {
    const want = iface({ kind: "vxlan", id: 5, remote: "2001:db8:0::1", parent: "uplink-alt", port: 4789 });
    expect(hostMadeDiffers(want, live({ vxlan: { id: 5, remote: "2001:db8::1", port: 4789, parentIndex: 7 } }), host, told)).toBe(
      undefined,
    );
    const macvlan = iface({ kind: "macvlan", parent: "br1" });
    expect(hostMadeDiffers(macvlan, live({ kind: "macvlan", parentIndex: 8, macvlan: { mode: "bridge" } }), host, told)).toBe(undefined);
  });

  it("names each attribute that differs, in the file's order, with none for one the live link lacks", () => {
    const want = iface({ kind: "vxlan", id: 6, group: "239.0.0.1", parent: "br1" });
    const have = live({ vxlan: { id: 5, remote: "192.0.2.1", local: "10.0.0.1", port: 4789, parentIndex: 7 } });
    expect(hostMadeDiffers(want, have, host, told)).toBe(
      "id 5 -> 6, remote 192.0.2.1 -> (none), local 10.0.0.1 -> (none), group (none) -> 239.0.0.1, port 4789 -> 8472, parent br0 -> br1",
    );
  });

  it("takes a live vxlan of which the kernel reported no options, or a parent the host lacks, as differing", () => {
    expect(hostMadeDiffers(iface({ kind: "vxlan", id: 1, remote: "192.0.2.1" }), live({}), host, told)).toBe(
      "id (none) -> 1, remote (none) -> 192.0.2.1, port (none) -> 8472",
    );
    expect(
      hostMadeDiffers(iface({ kind: "macvlan", parent: "gone0" }), live({ kind: "macvlan", macvlan: { mode: "bridge" } }), host, told),
    ).toBe("parent #3 -> gone0");
  });

  it("takes one made in the node (no other namespace named) as not the lab's, and leaves other kinds to the kind check", () => {
    expect(hostMadeDiffers(iface({ kind: "macvlan", parent: "br1" }), live({ kind: "macvlan", linkNetnsid: null }), host, told)).toBe(
      "made in the node, not from the host",
    );
    const bridge = load({ name: "hm", nodes: { a: { bridges: ["x"] } } }).nodes[0]?.interfaces[0] as Interface;
    expect(hostMadeDiffers(bridge, live({ kind: "bridge", linkNetnsid: null }), host, told)).toBe(undefined);
  });

  it("takes one made in a namespace other than the host's as not the lab's, whatever its attributes; not told, by them alone", () => {
    const want = iface({ kind: "vxlan", id: 5, remote: "192.0.2.1" });
    const same = { vxlan: { id: 5, remote: "192.0.2.1", port: 8472 } };
    expect(hostMadeDiffers(want, live({ ...same, linkNetnsid: 2 }), host, told)).toBe(
      "made in a namespace outside the lab, not from the host",
    );
    expect(hostMadeDiffers(want, live({ ...same, linkNetnsid: 1 }), host, told)).toBe("made in namespace hm-b, not from the host");
    expect(hostMadeDiffers(want, live({ ...same, linkNetnsid: 0 }), host, told)).toBe(undefined);
    // Where no nsid could be told apart (labNamespaceIds gave none), the attributes decide, as before.
    expect(hostMadeDiffers(want, live({ ...same, linkNetnsid: 2 }), host, undefined)).toBe(undefined);
    const macvlan = iface({ kind: "macvlan", parent: "br1" });
    expect(
      hostMadeDiffers(macvlan, live({ kind: "macvlan", parentIndex: 8, macvlan: { mode: "bridge" }, linkNetnsid: 2 }), host, told),
    ).toBe("made in a namespace outside the lab, not from the host");
  });
});
