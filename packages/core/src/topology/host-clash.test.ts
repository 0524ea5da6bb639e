import type { Link } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import type { Change } from "./changes.js";
import { assertNoHostClashes } from "./host-clash.js";
import { load } from "./load.js";

/** A host link as a dump lists it: made in the host (no nsid), an Ethernet link of no master. */
const link = (index: number, name: string, extra: Partial<Link> = {}): Link =>
  ({
    index,
    name,
    flags: 0,
    up: true,
    mtu: 1500,
    mac: "02:00:00:00:00:01",
    operstate: "up",
    kind: null,
    masterIndex: null,
    alias: null,
    group: 0,
    linkNetnsid: null,
    parentIndex: null,
    ...extra,
  }) as Link;

const eth0 = link(2, "eth0");
const eth1 = link(3, "eth1");

/** What assertNoHostClashes says of node a's `interfaces`, all to make, the host's links being `dump` (`strays` of them). */
function clashes(interfaces: Record<string, unknown>, dump: Link[], strays: Link[] = []): string | undefined {
  const t = load({ name: "hc", nodes: { a: { interfaces } } } as never);
  const changes = Object.keys(interfaces).map(
    (name) =>
      ({ op: "create", object: "link", kind: (interfaces[name] as { kind: string }).kind, node: "a", netns: "hc-a", name }) as Change,
  );
  // The file names eth1 also by an altname, as readHostLinks finds it.
  const hostLinks = new Map([...dump.map((l) => [l.name, l.index] as const), ["uplink", 3]]);
  try {
    assertNoHostClashes(t, t, changes, { hostLinks, hostDump: dump, strays });
  } catch (err) {
    return (err as Error).message.split("\n").slice(1).join("\n");
  }
  return undefined;
}

describe("a vxlan against the host's", () => {
  const vx = (vxlan: Link["vxlan"], extra: Partial<Link> = {}) => link(9, "hand0", { kind: "vxlan", vxlan, ...extra });

  it("is not judged against one the host did not make (its socket elsewhere), nor a stray of the lab that apply deletes first", () => {
    const want = { vx0: { kind: "vxlan", id: 5, port: 4789, remote: "192.0.2.1" } };
    const same = { id: 5, port: 4789 };
    expect(clashes(want, [eth0, vx(same)])).toContain('host link "hand0" is a vxlan of the same id 5 and port 4789');
    expect(clashes(want, [eth0, vx(same, { linkNetnsid: 4 })])).toBe(undefined);
    const stray = vx(same);
    expect(clashes(want, [eth0, stray], [stray])).toBe(undefined);
  });

  it("tells IPv6 link-local ones apart by their parent, named by an altname in the file", () => {
    const want = { vx0: { kind: "vxlan", id: 5, port: 4789, remote: "fe80::1", parent: "uplink" } };
    expect(clashes(want, [eth0, eth1, vx({ id: 5, port: 4789, remote: "fe80::2", parentIndex: 2 })])).toBe(undefined);
    expect(clashes(want, [eth0, eth1, vx({ id: 5, port: 4789, remote: "fe80::2", parentIndex: 3 })])).toContain("(EEXIST)");
  });
});

describe("a macvlan against the host's", () => {
  it("is not judged against a macvlan of another parent, nor against one the host did not make", () => {
    const want = { mv0: { kind: "macvlan", parent: "eth0", mode: "passthru" } };
    const other = link(9, "mv9", { kind: "macvlan", parentIndex: 3, macvlan: { mode: "bridge" } });
    expect(clashes(want, [eth0, eth1, other])).toBe(undefined);
    expect(clashes(want, [eth0, eth1, { ...other, parentIndex: 2, linkNetnsid: 1 }])).toBe(undefined);
    expect(clashes(want, [eth0, eth1, { ...other, parentIndex: 2 }])).toContain(
      'host link "eth0" has "mv9": the kernel refuses it (EINVAL)',
    );
  });
});
