import { describe, expect, it } from "vitest";
import * as la from "../actions/link-actions.js";
import * as na from "../actions/ns-actions.js";
import * as ra from "../actions/route-actions.js";
import { ValidationError } from "../errors.js";
import * as lp from "../links/providers.js";
import * as ns from "../namespace/providers.js";
import { checkTask } from "./task.js";

/** The ValidationError checkTask throws for a task of hand-built parts. */
function refusal(provider: unknown, ...actions: unknown[]): ValidationError {
  try {
    checkTask({ provider, actions });
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("accepted");
}

const fieldOf = (provider: unknown, ...actions: unknown[]) => refusal(provider, ...actions).field;
const here = ns.now();

describe("checkTask: the worker's check of what it is sent", () => {
  it("passes everything the constructors build, unchanged", () => {
    const provider = ns.name("lab");
    const actions = [
      na.links(),
      na.getLink(lp.byAlias("uplink")),
      na.setLinkNs(lp.byName("v0"), ns.processNs(1)),
      na.link(
        lp.newVeth("v0", { name: "eth0", ns: ns.name("b"), mtu: 9000 }, { up: true, master: lp.byName("br0") }),
        la.set({ mtu: 1400, up: false, master: null }),
        la.addAddr("10.0.0.1/24", { replace: true }),
        la.delAddr("2001:db8::1/64"),
        la.addrs(),
      ),
      na.link(lp.newVxlan("vx0", { id: 42, local: "10.0.0.1", remote: "10.0.0.2", port: 4789 })),
      na.link(lp.newMacvlan("mv0", lp.byIndex(2), "vepa")),
      na.link(lp.newGretap("gt0", { local: "10.0.0.1", remote: "10.0.0.2" })),
      na.addrs(6),
      na.deleteGroup(7),
      na.sysctl("net.ipv4.ip_forward", 1),
      ra.addRoute({ to: "default", via: "fe80::1", dev: lp.byName("eth0") }),
      ra.delRoute({ to: "10.9.0.0/16", via: "10.0.0.1", metric: 5, table: 100 }),
      ra.routes(4),
      na.handle(),
      na.createNamed("x"),
      na.deleteNamed("x", "/tmp/netns"),
      na.exec(["ip", "link"], { env: { A: "" }, input: "", timeoutMs: 5, cwd: "/" }),
      na.custom("/abs/mod.mjs", "run", { any: ["data"] }),
    ];
    const copy = structuredClone({ provider, actions });
    expect(checkTask(copy)).toEqual({ provider, actions });
    for (const p of [
      ns.now(),
      ns.create(),
      ns.createNamed("n", "/tmp/d"),
      ns.path("/proc/1/ns/net"),
      ns.thread(1, 1),
      ns.custom("pkg", "f"),
    ]) {
      expect(checkTask({ provider: structuredClone(p), actions: [] }).provider).toEqual(p);
    }
  });

  it("refuses hand-built traversals the constructors would refuse", () => {
    expect(fieldOf({ kind: "name", name: "../../proc/self/ns/net", dir: "/run/netns" })).toBe("provider.name");
    expect(fieldOf({ kind: "newNamed", name: "../../tmp/x", dir: "/run/netns" })).toBe("provider.name");
    expect(fieldOf(here, { kind: "deleteNamed", name: "../../tmp/x/victim.txt", dir: "/run/netns" })).toBe("actions[0].name");
    expect(fieldOf(here, na.links(), { kind: "newNamed", name: "a/b", dir: "/run/netns" })).toBe("actions[1].name");
    expect(fieldOf(here, { kind: "newNamed", name: "ok", dir: "run/netns" })).toBe("actions[0].dir");
    const peer = { name: "eth0", ns: { kind: "name", name: "../../proc/self/ns/net", dir: "/run/netns" } };
    const veth = { kind: "link", link: { kind: "new", spec: { name: "v0", type: "veth", veth: { peer } } }, actions: [] };
    expect(fieldOf(here, na.links(), na.links(), veth)).toBe("actions[2].link.spec.veth.peer.ns.name");
  });

  it("refuses unknown kinds, null, non-objects and junk, naming the field", () => {
    expect(fieldOf(here, { kind: "bogus" })).toBe("actions[0].kind");
    expect(refusal(here, { kind: "bogus" }).message).toMatch(/"bogus" is not a namespace action kind/);
    expect(fieldOf(here, null)).toBe("actions[0]");
    expect(fieldOf(here, na.links(), "links")).toBe("actions[1]");
    expect(fieldOf(here, [])).toBe("actions[0]");
    expect(fieldOf(null)).toBe("provider");
    expect(fieldOf({ kind: "toString" })).toBe("provider.kind");
    expect(fieldOf({ kind: "now", extra: 1 })).toBe("provider.extra");
    expect(fieldOf(here, { ...na.links(), args: "x" })).toBe("actions[0].args");
    expect(() => checkTask({ provider: here, actions: null })).toThrow(/^actions: must be an array/);
  });

  it("refuses what a getter or a Proxy trap throws as a ValidationError naming the value, not the caller's own error", () => {
    const trap = () => {
      throw new Error("trap");
    };
    expect(
      fieldOf({
        kind: "name",
        get name() {
          return trap();
        },
      }),
    ).toBe("provider");
    expect(fieldOf(new Proxy({}, { get: trap }))).toBe("provider");
    expect(fieldOf(new Proxy(ns.now(), { ownKeys: trap }))).toBe("provider");
    expect(fieldOf(here, { ...na.getLink(lp.byName("lo")), link: new Proxy(lp.byName("lo"), { ownKeys: trap }) })).toBe("actions[0].link");
    expect(refusal(new Proxy({}, { get: trap })).message).toBe("provider: could not be read: trap");
  });

  it("holds nested link providers and actions to the same rules", () => {
    const link = (provider: unknown, ...actions: unknown[]) => ({ kind: "link", link: provider, actions });
    expect(fieldOf(here, link(lp.byName("a"), { kind: "set", changes: { up: "false" } }))).toBe("actions[0].actions[0].changes.up");
    expect(fieldOf(here, link(lp.byName("a"), { kind: "set", changes: {} }))).toBe("actions[0].actions[0].changes");
    expect(
      fieldOf(
        here,
        link(lp.byName("a"), la.addrs(), { kind: "addAddr", cidr: { family: 2, address: "10.0.0.1", prefixLen: 33 }, replace: false }),
      ),
    ).toBe("actions[0].actions[1].cidr");
    expect(
      fieldOf(here, link(lp.byName("a"), { kind: "addAddr", cidr: { family: 10, address: "10.0.0.1", prefixLen: 8 }, replace: false })),
    ).toBe("actions[0].actions[0].cidr.family");
    // An address the kernel takes and keeps nothing of (0.0.0.0) or refuses (::, IPv6 multicast), built by hand.
    for (const [family, address] of [
      [2, "0.0.0.0"],
      [10, "::"],
      [10, "ff02::1"],
    ] as const) {
      expect(fieldOf(here, link(lp.byName("a"), { kind: "addAddr", cidr: { family, address, prefixLen: 8 }, replace: false }))).toBe(
        "actions[0].actions[0].cidr",
      );
    }
    // Deleting one is no harm: the kernel says it is not there.
    const delUnspecified = link(lp.byName("a"), { kind: "delAddr", cidr: { family: 2, address: "0.0.0.0", prefixLen: 8 } });
    expect(() => checkTask({ provider: here, actions: [delUnspecified] })).not.toThrow();
    expect(fieldOf(here, link({ kind: "name", name: "rt%d" }))).toBe("actions[0].link.name");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "br\u200b0", type: "bridge" } }))).toBe("actions[0].link.spec.name");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "d0", type: "dummy", up: "yes" } }))).toBe("actions[0].link.spec.up");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "d0", type: "tun" } }))).toBe("actions[0].link.spec.type");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "v0", type: "veth" } }))).toBe("actions[0].link.spec.veth");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "b0", type: "bridge", veth: { peer: { name: "x" } } } }))).toBe(
      "actions[0].link.spec.veth",
    );
    const twin = { kind: "new", spec: { name: "v0", type: "veth", veth: { peer: { name: "v0" } } } };
    expect(fieldOf(here, link(twin))).toBe("actions[0].link.spec.veth.peer.name");
    // In a namespace of its own, the peer may have the veth's name.
    expect(() =>
      checkTask({ provider: here, actions: [link({ ...twin, spec: { ...twin.spec, veth: { peer: { name: "v0", ns: here } } } })] }),
    ).not.toThrow();
    const newInPeer = { kind: "new", spec: { name: "v0", type: "veth", veth: { peer: { name: "e", ns: { kind: "new" } } } } };
    expect(fieldOf(here, link(newInPeer))).toBe("actions[0].link.spec.veth.peer.ns");
    const macvlan = (options: unknown) =>
      link({ kind: "new", spec: { name: "m0", type: "macvlan", parent: lp.byName("a"), macvlan: options } });
    expect(fieldOf(here, macvlan({ mode: "sideways" }))).toBe("actions[0].link.spec.macvlan.mode");
    expect(fieldOf(here, macvlan({ mode: "bridge", flags: 1 }))).toBe("actions[0].link.spec.macvlan.flags");
    expect(fieldOf(here, macvlan([]))).toBe("actions[0].link.spec.macvlan");
    expect(fieldOf(here, link({ kind: "new", spec: { name: "m0", type: "macvlan" } }))).toBe("actions[0].link.spec.parent");
    expect(fieldOf(here, link(lp.byName("a"), null))).toBe("actions[0].actions[0]");
    expect(fieldOf(here, { kind: "link", link: lp.byName("a") })).toBe("actions[0].actions");
  });

  it("holds routes, exec and the rest to the constructors' rules", () => {
    const route = (r: unknown) => ({ kind: "route", op: "add", route: r });
    expect(fieldOf(here, route({ family: 2, dst: "10.0.0.0", dstLen: 8 }))).toBe("actions[0].route.via");
    expect(fieldOf(here, route({ family: 2, dst: "10.0.0.0", dstLen: 40, via: "10.0.0.1" }))).toBe("actions[0].route.dst");
    expect(fieldOf(here, route({ family: 2, via: "2001:db8::1" }))).toBe("actions[0].route.via");
    expect(fieldOf(here, { kind: "route", op: "flush", route: { family: 2, via: "10.0.0.1" } })).toBe("actions[0].op");
    expect(fieldOf(here, { kind: "exec", argv: [], options: {} })).toBe("actions[0].argv");
    expect(fieldOf(here, { kind: "exec", argv: ["sh", "a\0b"], options: {} })).toBe("actions[0].argv[1]");
    // biome-ignore lint/suspicious/noSparseArray: a hole is what a hand-built argv may carry
    expect(fieldOf(here, { kind: "exec", argv: ["sh", , "x"], options: {} })).toBe("actions[0].argv[1]");
    expect(fieldOf(here, { kind: "exec", argv: ["sh"], options: { env: { "A=B": "x" } } })).toBe("actions[0].options.env.A=B");
    expect(fieldOf(here, { kind: "sysctl", name: "net/../../kernel/x" })).toBe("actions[0].name");
    // Each dot a '/' of a path under /proc/sys: an empty part names a directory, or nothing.
    for (const name of ["net.ipv4.ip_forward.", "net.ipv4..ip_forward", "net.", ".net.ipv4"]) {
      expect(fieldOf(here, { kind: "sysctl", name, value: "1" })).toBe("actions[0].name");
    }
    expect(fieldOf(here, { kind: "sysctl", name: "net.ipv4.ip_forward", value: "1\n0" })).toBe("actions[0].value");
    expect(fieldOf(here, { kind: "custom", module: "./rel.mjs", export: "f" })).toBe("actions[0].module");
    expect(fieldOf(here, { kind: "addrs", family: 3 })).toBe("actions[0].family");
    expect(fieldOf(here, { kind: "routes", family: 0, protocol: 0 })).toBe("actions[0].protocol");
    expect(fieldOf(here, { kind: "routes", family: 0, protocol: "boot" })).toBe("actions[0].protocol");
    expect(fieldOf(here, { kind: "routes", family: 0, table: 0 })).toBe("actions[0].table");
    expect(fieldOf(here, { kind: "routes", family: 0, table: "main" })).toBe("actions[0].table");
    expect(fieldOf(here, { kind: "deleteGroup", group: 0 })).toBe("actions[0].group");
  });
});

describe("a polluted prototype (every object inheriting an enumerable field)", () => {
  it("is refused by checkTask and the constructors, naming the field, and what passed before passes after", () => {
    const task = () => checkTask({ provider: ns.name("lab"), actions: [na.links()] });
    for (const [owner, name] of [
      [Object.prototype, "Object.prototype"],
      [Array.prototype, "Array.prototype"],
    ] as const) {
      (owner as Record<string, unknown>).polluted = 1;
      try {
        expect(task).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: `${name}.polluted` }));
        expect(() => lp.newVeth("v0", { name: "v1" })).toThrow(/prototype pollution/);
      } finally {
        delete (owner as Record<string, unknown>).polluted;
      }
      expect(task).not.toThrow();
    }
  });
});

describe("the constructors use the same rules", () => {
  it("refuse what the worker refuses", () => {
    expect(() => la.addAddr("10.0.0.1/24/8")).toThrow(ValidationError);
    expect(() => la.addAddr("0.0.0.0/8")).toThrow("address: 0.0.0.0 is the unspecified address, not an interface's");
    expect(() => la.addAddr("ff02::1/64")).toThrow(/^address: ff02::1 is an IPv6 multicast address/);
    expect(() => ra.routes("all", { protocol: 256 })).toThrow(/^protocol: /);
    expect(() => la.set({ up: "false" as unknown as boolean })).toThrow(/^up: must be true or false/);
    expect(() => la.addAddr("10.0.0.1/24", { replace: "no" as unknown as boolean })).toThrow(/^replace:/);
    expect(() => lp.newBridge("rt%d")).toThrow(/^name: .*'%'/);
    expect(() => lp.newBridge("br0", { up: 1 as unknown as boolean })).toThrow(/^up:/);
    expect(() => ns.name("lab\u202e")).toThrow(/^name: .*U\+202E/);
    expect(() => la.setAlias("a\ud800")).toThrow(/^alias: .*lone surrogate/);
    expect(() => lp.byName("eth\u00850")).toThrow(/^link\.name:/);
  });
});
