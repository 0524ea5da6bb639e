// The shapes adapters print, on messages the kernel produced (the codec's fixtures), against what `ip -j` printed for
// the same objects (each fixture's iproute2Json; see its provenance).
import { readFileSync } from "node:fs";
import { type Address, decodeMessages, type Link, type Neighbour, type Route } from "@neslink/codec-wasm";
import { type Schema, Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { linkFlagNames, RT_TABLE_MAIN, TABLE_NAMES, tableId, tableName } from "./iproute-names.js";
import { toLinkJSON } from "./link.js";
import { linkNames, routeGiven, toAddressJSON, toNeighbourJSON, toRouteJSON } from "./rows.js";
import { toEventJSON } from "./event.js";
import { SHAPE_SCHEMAS } from "./schemas.js";

const read = (name: string, ext: string) => readFileSync(new URL(`../../../codec-wasm/fixtures/${name}.${ext}`, import.meta.url));

/** The fixture's decoded objects of one kind, and what ip -j printed of the same namespace. */
function fixture<T>(name: string, kind: "link" | "address" | "route" | "neighbour"): { decoded: T[]; ip: Record<string, unknown>[] } {
  const messages = decodeMessages(new Uint8Array(read(name, "bin"))) as unknown as Record<string, unknown>[];
  const ip = (JSON.parse(read(name, "json").toString()) as { iproute2Json: Record<string, unknown>[] }).iproute2Json;
  return { decoded: messages.filter((m) => m.kind === kind).map((m) => m[kind] as T), ip };
}

describe("a link", () => {
  it.each(["link/dump-lo-bridge-veth", "link/dump-veth-peer-netns", "link/dump-vxlan-macvlan"])(
    "has ip -j link's flags, operstate and group (%s)",
    (name) => {
      const { decoded, ip } = fixture<Link>(name, "link");
      expect(decoded.length).toBeGreaterThan(2);
      for (const link of decoded) {
        const theirs = ip.find((l) => l.ifindex === link.index) as { flags: string[]; operstate: string; group: string };
        // M-DOWN is ip's note that another link (the one IFLA_LINK names) is down, not a flag of this one.
        const expected = { flags: theirs.flags.filter((f) => f !== "M-DOWN"), operstate: theirs.operstate, group: theirs.group };
        const { flags, operstate, group } = toLinkJSON(link);
        expect({ name: link.name, flags, operstate, group }).toEqual({ name: link.name, ...expected });
      }
      // Both the group named by iproute2's table and a number it has no name for are there.
      expect(new Set(decoded.map((l) => toLinkJSON(l).group))).toContain("default");
    },
  );

  it("keeps Link's fields, in Link's order, with only the numbers named", () => {
    const [link] = fixture<Link>("link/dump-lo-bridge-veth", "link").decoded as [Link];
    const json = toLinkJSON(link);
    expect(Object.keys(json)).toEqual(Object.keys(link));
    const { flags: _f, operstate: _o, group: _g, ...rest } = link;
    expect(json).toMatchObject(rest);
  });

  it("names flags as ip's print_link_flags: NO-CARRIER for up without RUNNING, no RUNNING, unknown bits in hex", () => {
    const UP = 0x1;
    const RUNNING = 0x40;
    const LOWER_UP = 0x10000;
    expect(linkFlagNames(UP | 0x2 | 0x1000 | RUNNING | LOWER_UP)).toEqual(["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
    expect(linkFlagNames(UP | 0x2 | 0x1000)).toEqual(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
    expect(linkFlagNames(0x2 | 0x1000)).toEqual(["BROADCAST", "MULTICAST"]);
    expect(linkFlagNames(0x8 | 0x80000 | 0x80000000)).toEqual(["LOOPBACK", "80080000"]);
    expect(linkFlagNames(0)).toEqual([]);
  });
});

describe("a route", () => {
  /** ip -j route leaves out what is the default: the main table, proto boot, scope global, type unicast. */
  const ipRoute = (r: Record<string, unknown>) => ({
    to: r.dst,
    table: r.table ?? "main",
    protocol: r.protocol ?? "boot",
    scope: r.scope ?? "global",
    type: r.type ?? "unicast",
    via: r.gateway ?? null,
    dev: r.dev ?? null,
  });

  it.each([
    ["route/dump-ipv4", "inet"],
    ["route/dump-ipv6", "inet6"],
  ])("is named as ip -j route names it, a host route without its length (%s)", (name, family) => {
    const { decoded, ip } = fixture<Route>(name, "route");
    // The dump's links are not in it: a route's dev is compared as there or not.
    const ours = decoded.map((r) => {
      const { to, table, protocol, scope, type, via, dev } = toRouteJSON(r, () => "");
      return { to, table, protocol, scope, type, via, dev };
    });
    // ip listed both families; the dump is of one.
    const theirs = ip.filter((r) => (String(r.dst).includes(":") || String(r.gateway).includes(":")) === (family === "inet6"));
    expect(ours.sort(byJson)).toEqual(theirs.map((r) => ({ ...ipRoute(r), dev: r.dev === undefined ? null : "" })).sort(byJson));
    // What the dumps hold: a host route, the local table, a type other than unicast, a table ip has no name for.
    const seen = (key: "to" | "table" | "type", test: (value: string) => boolean) => ours.some((r) => test(r[key]));
    expect(seen("to", (to) => to !== "default" && !to.includes("/"))).toBe(true);
    expect(seen("table", (t) => t === "local") && seen("type", (t) => t !== "unicast")).toBe(true);
    if (family === "inet") expect(seen("table", (t) => t === "1000")).toBe(true);
  });

  it("names a table one way both ways: tableId reads what tableName writes, for the tables a route can be in", () => {
    expect(TABLE_NAMES).toEqual(["default", "main", "local"]);
    for (const name of TABLE_NAMES) expect(tableName(tableId(name) as number)).toBe(name);
    expect(tableId("main")).toBe(RT_TABLE_MAIN);
    // 0 is the kernel's "no table given": not a table to name; nor is a number, which is no name.
    expect([tableId("unspec"), tableId("254"), tableId("all"), tableId("Main")]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("given to a change, is a listed route without what the kernel decides, main when no table is given", () => {
    expect(routeGiven({ family: 2, dst: "10.0.0.5", dstLen: 32 }, "eth0")).toEqual({
      to: "10.0.0.5",
      family: "inet",
      via: null,
      dev: "eth0",
      metric: null,
      table: "main",
    });
    expect(routeGiven({ family: 10, dst: "2001:db8::", dstLen: 64, via: "fe80::1", metric: 5, table: 1000 }, null)).toEqual({
      to: "2001:db8::/64",
      family: "inet6",
      via: "fe80::1",
      dev: null,
      metric: 5,
      table: "1000",
    });
    expect(routeGiven({ family: 10, dst: "2001:db8::1", dstLen: 128, table: 255 }, null)).toMatchObject({
      to: "2001:db8::1",
      table: "local",
    });
    expect(routeGiven({ family: 2 }, null)).toMatchObject({ to: "default", table: "main" });
  });
});

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

describe("an address and a neighbour", () => {
  it("have ip -j's family, scope and NUD state names", () => {
    const addrs = fixture<Address>("addr/dump-ipv4-ipv6", "address");
    const ipAddrs = addrs.ip.flatMap((l) =>
      (l.addr_info as Record<string, unknown>[]).map((a) => ({ dev: l.ifname, family: a.family, address: a.local, scope: a.scope })),
    );
    const nameOf = linkNames(addrs.ip.map((l) => ({ index: l.ifindex as number, name: l.ifname as string })));
    const ours = addrs.decoded.map((a) => {
      const { dev, family, address, scope } = toAddressJSON(a, nameOf);
      return { dev, family, address, scope };
    });
    expect(ours.sort(byJson)).toEqual(ipAddrs.sort(byJson));

    const neighbours = fixture<Neighbour>("neigh/dump-permanent-stale", "neighbour");
    // ip neigh leaves NOARP entries (multicast) out unless asked for `nud all`.
    const listed = neighbours.decoded.map((n) => toNeighbourJSON(n, () => "nle0")).filter((n) => !n.state.includes("NOARP"));
    expect(listed.map(({ address, mac, state, family }) => ({ address, mac, state, family }))).toEqual(
      neighbours.ip.map((n) => ({ address: n.dst, mac: n.lladdr, state: n.state, family: String(n.dst).includes(":") ? "inet6" : "inet" })),
    );
  });
});

describe("an event", () => {
  it("carries its object as the listings give it, and its namespace as netns", () => {
    const [link] = fixture<Link>("link/dump-lo-bridge-veth", "link").decoded as [Link];
    expect(toEventJSON({ type: "link", action: "new", netns: "lab", link })).toEqual({
      type: "link",
      action: "new",
      netns: "lab",
      link: toLinkJSON(link),
    });
    const changed = toEventJSON({
      type: "link",
      action: "changed",
      netns: "lab",
      link,
      previous: { ...link, flags: 0 },
      changed: ["flags"],
    });
    expect(changed).toMatchObject({ previous: { flags: [] }, link: { flags: toLinkJSON(link).flags }, changed: ["flags"] });
    const [route] = fixture<Route>("route/dump-ipv4", "route").decoded as [Route];
    expect(toEventJSON({ type: "route", action: "new", netns: "lab", route, dev: "eth9" })).toEqual({
      type: "route",
      action: "new",
      netns: "lab",
      route: toRouteJSON(route, () => "eth9"),
    });
    expect(toEventJSON({ type: "gone", netns: "lab" })).toEqual({ type: "gone", netns: "lab" });
  });
});

describe("a plan's change, as its schema says", () => {
  const errors = (value: unknown) => new Validator(SHAPE_SCHEMAS.Change as Schema, "2020-12", false).validate(value).errors;
  const at = { node: "a", netns: "lab-a" };
  const route = routeGiven({ family: 2, dst: "10.0.0.0", dstLen: 24, via: "10.0.1.1" }, null);

  it("has what it is to (object) and where; a link's its kind; an address's and a route's what they are", () => {
    for (const change of [
      { op: "create", object: "netns", ...at },
      { op: "create", object: "link", kind: "veth", ...at, name: "e0", up: true, peer: { ...at, name: "e1", up: true } },
      { op: "delete", object: "link", kind: null, ...at, name: "nic0" },
      { op: "update", object: "link", kind: null, ...at, name: "lo", set: { up: true }, from: { up: false } },
      { op: "delete", object: "address", ...at, dev: "e0", cidr: "10.0.0.1/24" },
      { op: "create", object: "route", ...at, route },
      { op: "update", object: "sysctl", ...at, name: "net.ipv4.ip_forward", from: null, to: "1" },
    ])
      expect([change, errors(change)]).toEqual([change, []]);
  });

  it("refuses the old shape (a kind for every object), a kind on what is not a link, a link without one, a route of the file's shape", () => {
    for (const change of [
      { op: "create", kind: "namespace", ...at },
      { op: "create", kind: "veth", ...at, name: "e0" },
      { op: "create", object: "namespace", ...at },
      { op: "create", object: "netns", kind: "veth", ...at },
      { op: "delete", object: "link", ...at, name: "e0" },
      { op: "create", object: "address", ...at, dev: "e0" },
      { op: "create", object: "route", ...at, route: { to: "10.0.0.0/24", via: "10.0.1.1" } },
      { op: "create", object: "route", ...at, route: { ...route, table: 254 } },
    ])
      expect([change, errors(change)]).not.toEqual([change, []]);
  });
});
