import {
  ActionError,
  closeDefaultPool,
  KindUnsupportedError,
  la,
  linkDo,
  lp,
  NetlinkError,
  NotFoundError,
  na,
  ns,
  nsDo,
  rootCause,
  toErrorJSON,
} from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, linksIn, netnsList, uniquePrefix } from "./kernel.js";
import { refusedField } from "./refusal.js";

const prefix = uniquePrefix("nl");
const [left, router, right, lab] = ["l", "r", "t", "x"].map((s) => `${prefix}${s}`) as [string, string, string, string];

beforeAll(async () => {
  for (const n of [left, router, right, lab]) await nsDo(ns.createNamed(n));
});
afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
});

type IpLink = {
  ifname: string;
  flags: string[];
  mtu: number;
  address: string;
  ifalias?: string;
  group: string;
  master?: string;
  linkinfo?: { info_kind: string; info_data?: Record<string, unknown> };
};
const ipLink = (netns: string, name: string) => ipJson<IpLink[]>("-n", netns, "link", "show", "dev", name)[0] as IpLink;
/** Addresses iproute2 shows on a link, less the IPv6 link-local one the kernel adds by itself. */
const ipAddrs = (netns: string, name: string) =>
  (
    ipJson<{ addr_info: { local: string; prefixlen: number; scope: string }[] }[]>("-n", netns, "addr", "show", "dev", name)[0]
      ?.addr_info ?? []
  )
    .filter((a) => a.scope !== "link")
    .map((a) => `${a.local}/${a.prefixlen}`);

describe("a routed topology built with linkDo / nsDo", () => {
  it("bridge, veth pairs with peers made in other namespaces, addresses, routes, and ping through a router", async () => {
    // left: a bridge holding one end of a veth whose other end is created directly in the router.
    const br = await linkDo(ns.name(left), lp.bridge("br0"), la.addAddr("10.31.1.2/24"), la.up());
    expect(ipLink(left, "br0").linkinfo?.info_kind).toBe("bridge");
    expect(ipLink(left, "br0").flags).toContain("UP");
    expect(ipAddrs(left, "br0")).toEqual(["10.31.1.2/24"]);

    // Attached and up in the creating request itself.
    const lv = await linkDo(ns.name(left), lp.veth("lv0", { name: "rv0", ns: ns.name(router) }, { master: lp.name("br0"), up: true }));
    expect(ipLink(left, "lv0").flags).toContain("UP");
    expect(lv.link.kind).toBe("veth");
    expect(lv.link.masterIndex).toBe(br.link.index);
    expect(ipLink(left, "lv0").master).toBe("br0");
    expect(linksIn(router).map((l) => l.ifname)).toContain("rv0");

    await linkDo(ns.name(router), lp.name("rv0"), la.addAddr("10.31.1.1/24"), la.up());
    await linkDo(ns.name(router), lp.veth("rv1", { name: "tv0", ns: ns.name(right) }), la.addAddr("10.31.2.1/24"), la.up());
    await linkDo(ns.name(right), lp.name("tv0"), la.addAddr("10.31.2.2/24"), la.up());
    expect(ipAddrs(router, "rv0")).toEqual(["10.31.1.1/24"]);
    expect(ipAddrs(right, "tv0")).toEqual(["10.31.2.2/24"]);
    for (const n of [left, router, right]) await linkDo(ns.name(n), lp.name("lo"), la.up());

    // Routes between the two subnets, through the router.
    await nsDo(ns.name(left), na.addRoute({ to: "10.31.2.0/24", via: "10.31.1.1" }));
    await nsDo(ns.name(right), na.addRoute({ to: "default", via: "10.31.2.1", metric: 100 }));
    const leftRoutes = ipJson<{ dst: string; gateway?: string }[]>("-n", left, "route", "show");
    expect(leftRoutes).toContainEqual(expect.objectContaining({ dst: "10.31.2.0/24", gateway: "10.31.1.1" }));
    const rightRoutes = ipJson<{ dst: string; gateway?: string; metric?: number }[]>("-n", right, "route", "show");
    expect(rightRoutes).toContainEqual(expect.objectContaining({ dst: "default", gateway: "10.31.2.1", metric: 100 }));
    const {
      results: [listed],
    } = await nsDo(ns.name(right), na.routes(4));
    expect(listed).toContainEqual(expect.objectContaining({ dst: null, dstLen: 0, gateway: "10.31.2.1", metric: 100 }));
    // Routes of one origin, as `ip route show proto X` lists them: the kernel's own (proto kernel) and a static one left out.
    ip("-n", right, "route", "add", "10.31.9.0/24", "via", "10.31.2.1", "proto", "static");
    const {
      results: [boot, statics, links],
    } = await nsDo(ns.name(right), na.routes("all", { protocol: 3 }), na.routes(4, { protocol: 4 }), na.links());
    const dsts = (routes: { dst: string | null; dstLen: number }[]) =>
      routes.map((r) => (r.dst === null ? "default" : `${r.dst}/${r.dstLen}`));
    const shown = (proto: string) =>
      ipJson<{ dst: string }[]>("-n", right, "route", "show", "table", "all", "proto", proto).map((r) => r.dst);
    expect(dsts(boot)).toEqual(shown("boot"));
    expect(dsts(boot)).toEqual(["default"]);
    expect(dsts(statics)).toEqual(shown("static"));
    expect(dsts(statics)).toEqual(["10.31.9.0/24"]);
    // The socket's other requests are as before (strict checking was on for that one dump only).
    expect(links.map((l) => l.name).sort()).toEqual(
      linksIn(right)
        .map((l) => l.ifname)
        .sort(),
    );

    // Forwarding on in the router only (a new namespace inherits the host's IPv4 setting), then traffic from one end to the other.
    ip("netns", "exec", left, "sysctl", "-qw", "net.ipv4.ip_forward=0");
    const {
      results: [forward],
    } = await nsDo(ns.name(router), na.sysctl("net.ipv4.ip_forward", 1));
    expect(forward).toBe("1");
    expect(ip("netns", "exec", router, "sysctl", "-n", "net.ipv4.ip_forward").trim()).toBe("1");
    expect(ip("netns", "exec", left, "sysctl", "-n", "net.ipv4.ip_forward").trim()).toBe("0");
    const {
      results: [ping],
    } = await nsDo(ns.name(left), na.exec(["ping", "-c", "1", "-W", "3", "10.31.2.2"]));
    expect(ping.stdout).toMatch(/1 received/);
    expect(ping.status).toBe(0);
  });
});

describe("link actions", () => {
  it("set name, alias, MAC, MTU, promisc, group, up/down, master and nomaster; iproute2 agrees", async () => {
    await linkDo(ns.name(lab), lp.bridge("lbr"));
    const r = await linkDo(
      ns.name(lab),
      lp.veth("la0", { name: "lb0" }),
      la.setName("lc0"),
      la.setAlias("uplink one"),
      la.setMac("02:aa:bb:cc:dd:01"),
      la.setMtu(1400),
      la.promisc(true),
      la.group(9),
      la.master(lp.name("lbr")),
      la.up(),
    );
    expect(r.link).toMatchObject({ name: "lc0", alias: "uplink one", mac: "02:aa:bb:cc:dd:01", mtu: 1400, group: 9, up: true });
    const k = ipLink(lab, "lc0");
    expect(k).toMatchObject({ ifalias: "uplink one", address: "02:aa:bb:cc:dd:01", mtu: 1400, master: "lbr" });
    expect(k.flags).toEqual(expect.arrayContaining(["UP", "PROMISC"]));
    expect(k.group).toBe("9");

    await linkDo(ns.name(lab), lp.alias("uplink one"), la.promisc(false), la.noMaster(), la.down());
    const after = ipLink(lab, "lc0");
    expect(after.flags).not.toContain("PROMISC");
    expect(after.flags).not.toContain("UP");
    expect(after.master).toBeUndefined();
  });

  it("changes to a link given by name go in one datagram with its state after them; iproute2 agrees", async () => {
    await linkDo(ns.name(lab), lp.bridge("lnb"));
    const r = await linkDo(ns.name(lab), lp.name("lnb"), la.setMtu(1280), la.setAlias("by name"), la.up());
    expect(r.link).toMatchObject({ name: "lnb", mtu: 1280, alias: "by name", up: true });
    expect(r.results).toEqual([null, null, null]);
    const k = ipLink(lab, "lnb");
    expect(k).toMatchObject({ mtu: 1280, ifalias: "by name" });
    expect(k.flags).toContain("UP");
    expect(r.link.index).toBe(ipJson<{ ifindex: number }[]>("-n", lab, "link", "show", "dev", "lnb")[0]?.ifindex);
  });

  it("MTUs up to each device's own maximum: lo takes its default 65536 back, a veth refuses more than 65535", async () => {
    await linkDo(ns.name(lab), lp.name("lo"), la.setMtu(1500));
    expect(ipLink(lab, "lo").mtu).toBe(1500);
    expect((await linkDo(ns.name(lab), lp.name("lo"), la.setMtu(65536))).link.mtu).toBe(65536);
    expect(ipLink(lab, "lo").mtu).toBe(65536);
    const err = await linkDo(ns.name(lab), lp.veth("lmv0", { name: "lmv1" }, { mtu: 65536 })).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.code).toBe("EINVAL");
    expect(err.action).toBe('link provider (new veth "lmv0")');
    expect(err.cause).toBeInstanceOf(NetlinkError);
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("lmv0");
  });

  it("changes by name: a missing link fails as the provider, a failing change by its index with the earlier ones done", async () => {
    const missing = await linkDo(ns.name(lab), lp.name("lnomore"), la.up()).catch((e) => e);
    expect(missing).toBeInstanceOf(ActionError);
    expect(missing.code).toBe("ERR_LINK_NOT_FOUND");
    expect(missing.actionIndex).toBe(-1);
    expect(missing.action).toBe('link provider (name "lnomore")');
    expect(missing.message).toBe('no link with name "lnomore" (link provider (name "lnomore"))');
    expect(missing.cause).toBeInstanceOf(NotFoundError);

    // An MTU above the bridge's own maximum (65535) passes validation (devices differ) and the kernel refuses it.
    const err = await linkDo(ns.name(lab), lp.name("lnb"), la.setMtu(1300), la.setMtu(70000), la.setAlias("after")).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.code).toBe("EINVAL");
    expect(err.actionIndex).toBe(1);
    expect(err.action).toBe("set");
    expect(err.message).toMatch(/EINVAL.* \(action #1: set\)$/);
    expect(err.cause).toBeInstanceOf(NetlinkError);
    expect(ipLink(lab, "lnb").mtu).toBe(1300);
    await linkDo(ns.name(lab), lp.name("lnb"), la.delete());
  });

  it("a failure reaches the caller wrapped once: one ActionError whose cause is the kernel's error, through nsDo and linkDo", async () => {
    await linkDo(ns.name(lab), lp.bridge("lwo"));
    const bad = [la.setMtu(1290), la.setMtu(70000)] as const;
    const viaNsDo = await nsDo(ns.name(lab), na.links(), na.link(lp.name("lwo"), ...bad)).catch((e) => e);
    const viaLinkDo = await linkDo(ns.name(lab), lp.name("lwo"), ...bad).catch((e) => e);
    expect(viaNsDo).toMatchObject({ code: "EINVAL", actionIndex: 1, linkActionIndex: 1, action: "set" });
    expect(viaNsDo.message).toMatch(/ \(action #1, link action #1: set\)$/);
    expect(viaLinkDo).toMatchObject({ code: "EINVAL", actionIndex: 1, action: "set" });
    expect(viaLinkDo.linkActionIndex).toBeUndefined();
    for (const err of [viaNsDo, viaLinkDo]) {
      expect(err).toBeInstanceOf(ActionError);
      expect(rootCause(err)).toBe(err.cause);
      expect(err.cause).toBeInstanceOf(NetlinkError);
      expect(err.cause).toMatchObject({ syscall: "netlink RTM_NEWLINK", code: "EINVAL" });
      expect(err.cause.cause).toBeUndefined();
      expect(toErrorJSON(err).cause?.cause).toBeUndefined();
    }
    // The change before the refused one was made, as iproute2 shows.
    expect(ipLink(lab, "lwo").mtu).toBe(1290);
    expect(ipLink(lab, "lwo").mtu).not.toBe(70000);
    await linkDo(ns.name(lab), lp.name("lwo"), la.delete());
  });

  it("IPv4 and IPv6 addresses: add, list, delete", async () => {
    const r = await linkDo(ns.name(lab), lp.name("lc0"), la.up(), la.addAddr("10.32.0.1/24"), la.addAddr("2001:db8:32::1/64"), la.addrs());
    const listed = r.results[3].map((a) => `${a.local ?? a.address}/${a.prefixLen}`);
    expect(listed).toEqual(expect.arrayContaining(["10.32.0.1/24", "2001:db8:32::1/64"]));
    expect(ipAddrs(lab, "lc0")).toEqual(expect.arrayContaining(["10.32.0.1/24", "2001:db8:32::1/64"]));
    await linkDo(ns.name(lab), lp.name("lc0"), la.delAddr("10.32.0.1/24"));
    expect(ipAddrs(lab, "lc0")).not.toContain("10.32.0.1/24");
  });

  it("IPv6 routes and replace / delete", async () => {
    await nsDo(ns.name(lab), na.addRoute({ to: "2001:db8:99::/64", via: "2001:db8:32::2" }));
    expect(ipJson<{ dst: string }[]>("-n", lab, "-6", "route", "show").map((r) => r.dst)).toContain("2001:db8:99::/64");
    await nsDo(ns.name(lab), na.addRoute({ to: "10.99.0.0/16", dev: lp.name("lc0"), table: 1000 }));
    await nsDo(ns.name(lab), na.replaceRoute({ to: "10.99.0.0/16", dev: lp.name("lc0"), table: 1000, metric: 7 }));
    const t1000 = ipJson<{ dst: string; metric?: number }[]>("-n", lab, "route", "show", "table", "1000");
    expect(t1000).toContainEqual(expect.objectContaining({ dst: "10.99.0.0/16" }));
    await nsDo(ns.name(lab), na.delRoute({ to: "10.99.0.0/16", dev: lp.name("lc0"), table: 1000, metric: 7 }));
    await nsDo(ns.name(lab), na.delRoute({ to: "2001:db8:99::/64", via: "2001:db8:32::2" }));
    expect(ipJson<{ dst: string }[]>("-n", lab, "-6", "route", "show").map((r) => r.dst)).not.toContain("2001:db8:99::/64");
  });

  it("routes of one table, as `ip route show table X` lists them; a table that does not exist has none", async () => {
    await nsDo(
      ns.name(lab),
      na.addRoute({ to: "10.98.0.0/16", dev: lp.name("lc0"), table: 1001 }),
      na.addRoute({ to: "2001:db8:98::/64", dev: lp.name("lc0"), table: 1001 }),
      na.addRoute({ to: "10.97.0.0/16", dev: lp.name("lc0"), table: 1002 }),
      // Its local route (table 255) is made with the address, up or not.
      na.link(lp.name("lc0"), la.addAddr("10.96.0.1/24")),
    );
    const dsts = (routes: { dst: string | null; dstLen: number }[]) => routes.map((r) => `${r.dst}/${r.dstLen}`).sort();
    const shown = (...args: string[]) =>
      ipJson<{ dst: string }[]>("-n", lab, ...args)
        .map((r) => r.dst)
        .sort();
    const {
      results: [all, v4, v6, local, missing4, missing6, missingAll],
    } = await nsDo(
      ns.name(lab),
      na.routes("all", { table: 1001 }),
      na.routes(4, { table: 1001 }),
      na.routes(6, { table: 1001 }),
      na.routes(4, { table: 255 }),
      // A one-family dump of a missing table is refused by the kernel (ENOENT); both are "no routes".
      na.routes(4, { table: 4242 }),
      na.routes(6, { table: 4242 }),
      na.routes("all", { table: 4242 }),
    );
    expect(dsts(v4)).toEqual(shown("-4", "route", "show", "table", "1001"));
    expect(dsts(v4)).toEqual(["10.98.0.0/16"]);
    expect(dsts(v6)).toEqual(shown("-6", "route", "show", "table", "1001"));
    expect(dsts(all)).toEqual([...dsts(v4), ...dsts(v6)].sort());
    expect(all.every((r) => r.table === 1001)).toBe(true);
    expect(local.length).toBeGreaterThan(0);
    expect(local.every((r) => r.table === 255)).toBe(true);
    expect(local.map((r) => r.dst).sort()).toEqual(shown("-4", "route", "show", "table", "local").map((d) => d.replace(/\/32$/, "")));
    expect([missing4, missing6, missingAll]).toEqual([[], [], []]);
    expect(refusedField(() => na.routes(4, { table: 0 }))).toBe("table");
    expect(refusedField(() => na.routes(4, { table: "main" as never }))).toBe("table");
  });

  it("pipelined actions report the first failure with its index", async () => {
    const err = await linkDo(
      ns.name(lab),
      lp.name("lc0"),
      la.up(),
      la.addAddr("10.33.0.1/24"),
      la.addAddr("10.33.0.1/24"),
      la.setMtu(1300),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.code).toBe("EEXIST");
    expect(err.actionIndex).toBe(2);
    expect(err.action).toBe("addAddr");
    expect(err.cause).toBeInstanceOf(NetlinkError);
  });

  it("delete, and a link group deleted in one request", async () => {
    await linkDo(ns.name(lab), lp.name("lc0"), la.delete());
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("lc0");
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("lb0");
    const { results } = await nsDo(
      ns.name(lab),
      ...Array.from({ length: 40 }, (_, i) => na.link(lp.veth(`g${i}a`, { name: `g${i}b` }, { group: 77 }))),
    );
    expect(results).toHaveLength(40);
    expect(linksIn(lab).filter((l) => l.ifname.startsWith("g"))).toHaveLength(80);
    await nsDo(ns.name(lab), na.deleteGroup(77));
    expect(linksIn(lab).filter((l) => l.ifname.startsWith("g"))).toHaveLength(0);
  });
});

describe("consecutive creations, pipelined", () => {
  const names = (netns: string, start: string) =>
    linksIn(netns)
      .map((l) => l.ifname)
      .filter((n) => n.startsWith(start));

  it("150 veths in one nsDo: each as the kernel reports it, attached to a bridge made in the same nsDo, peers in another namespace", async () => {
    const { results } = await nsDo(
      ns.name(lab),
      na.link(lp.bridge("pbr", { up: true })),
      ...Array.from({ length: 150 }, (_, i) =>
        na.link(lp.veth(`pv${i}`, { name: `pp${i}`, ns: ns.name(right) }, { master: lp.name("pbr"), up: true })),
      ),
    );
    const shown = new Map(
      ipJson<{ ifname: string; ifindex: number; master?: string; flags: string[] }[]>("-n", lab, "link", "show").map((l) => [l.ifname, l]),
    );
    const bridgeIndex = shown.get("pbr")?.ifindex;
    expect(results).toHaveLength(151);
    for (const [i, r] of results.slice(1).entries()) {
      expect(r.link.name).toBe(`pv${i}`);
      expect(r.link.index).toBe(shown.get(`pv${i}`)?.ifindex);
      expect(r.link.masterIndex).toBe(bridgeIndex);
      expect(shown.get(`pv${i}`)?.master).toBe("pbr");
      expect(shown.get(`pv${i}`)?.flags).toContain("UP");
    }
    expect(names(right, "pp")).toHaveLength(150);
    await nsDo(
      ns.name(lab),
      na.link(lp.name("pbr"), la.delete()),
      ...Array.from({ length: 150 }, (_, i) => na.link(lp.name(`pv${i}`), la.delete())),
    );
    expect(names(right, "pp")).toEqual([]);
  });

  it("a failure stops the run where it happened: earlier links stay, later ones of the same datagram are undone", async () => {
    ip("-n", lab, "link", "add", "qx2", "type", "veth", "peer", "name", "qx2p");
    const err = await nsDo(
      ns.name(lab),
      na.links(),
      ...[0, 1, 2, 3, 4].map((i) => na.link(lp.veth(`qx${i}`, { name: `qy${i}`, ns: ns.name(right) }))),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: 3, linkActionIndex: -1, action: 'link provider (new veth "qx2")' });
    expect(err.message).toBe('a link named "qx2" already exists (action #3: link provider (new veth "qx2"))');
    expect(err.cause.cause).toBeInstanceOf(NetlinkError);
    expect(names(lab, "qx").sort()).toEqual(["qx0", "qx1", "qx2", "qx2p"]);
    expect(names(right, "qy").sort()).toEqual(["qy0", "qy1"]);
  });

  it("a creation that cannot even be built (unknown master) stops the run there", async () => {
    const err = await nsDo(
      ns.name(lab),
      ...[0, 1, 2].map((i) => na.link(lp.veth(`qm${i}`, { name: `qn${i}` }, i === 1 ? { master: lp.name("nosuchbr") } : {}))),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err).toMatchObject({ code: "ERR_LINK_NOT_FOUND", actionIndex: 1, linkActionIndex: -1 });
    expect(err.cause).toBeInstanceOf(NotFoundError);
    expect(names(lab, "qm")).toEqual(["qm0"]);
  });
});

describe("link kinds", () => {
  it("vxlan, macvlan and ifb are created as the kernel reports them", async () => {
    await linkDo(ns.name(lab), lp.bridge("kparent"), la.up());
    const vx = await linkDo(ns.name(lab), lp.vxlan("kvx", { id: 4242, local: "10.40.0.1", remote: "10.40.0.2", port: 4789 }));
    expect(vx.link.kind).toBe("vxlan");
    const k = ipLink(lab, "kvx");
    expect(k.linkinfo?.info_data).toMatchObject({ id: 4242, local: "10.40.0.1", remote: "10.40.0.2", port: 4789 });
    await linkDo(ns.name(lab), lp.veth("kmp", { name: "kmq" }));
    const mv = await linkDo(ns.name(lab), lp.macvlan("kmv", lp.name("kmp"), "bridge"));
    expect(ipLink(lab, "kmv").linkinfo).toMatchObject({ info_kind: "macvlan", info_data: { mode: "bridge" } });
    expect(mv.link.parentIndex).toBe(ipJson<{ ifindex: number }[]>("-n", lab, "link", "show", "kmp")[0]?.ifindex);
    await linkDo(ns.name(lab), lp.ifb("kifb"));
    expect(ipLink(lab, "kifb").linkinfo?.info_kind).toBe("ifb");
  });

  it("kinds this kernel lacks fail as ERR_KIND_UNSUPPORTED, saying so, and leave nothing behind", async () => {
    const kinds = { kd0: "dummy", kg0: "gretap", kw0: "wireguard" } as const;
    for (const provider of [lp.dummy("kd0"), lp.gretap("kg0", { local: "10.41.0.1", remote: "10.41.0.2" }), lp.wireguard("kw0")]) {
      const kind = kinds[(provider as { spec: { name: keyof typeof kinds } }).spec.name];
      const err = await linkDo(ns.name(lab), provider).catch((e) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect(err.code).toBe("ERR_KIND_UNSUPPORTED");
      expect(err.actionIndex).toBe(-1);
      expect(err.message).toMatch(new RegExp(`^this kernel has no "${kind}" link type: its module is not built in or not loaded`));
      expect(err.message).not.toContain("#-1");
      expect(err.cause).toBeInstanceOf(KindUnsupportedError);
      expect(err.cause.cause).toBeInstanceOf(NetlinkError);
      expect(err.cause.cause.extAck).toBe("Unknown device type");
    }
    // Pipelined with other creations, and inside nsDo: the same code, with the action's place.
    const err = await nsDo(ns.name(lab), na.link(lp.bridge("kbr0")), na.link(lp.dummy("kd0")), na.link(lp.bridge("kbr1"))).catch((e) => e);
    expect(err).toMatchObject({
      code: "ERR_KIND_UNSUPPORTED",
      actionIndex: 1,
      linkActionIndex: -1,
      action: 'link provider (new dummy "kd0")',
    });
    expect(linksIn(lab).map((l) => l.ifname)).toContain("kbr0");
    expect(linksIn(lab).map((l) => l.ifname)).not.toContain("kbr1");
    await nsDo(ns.name(lab), na.link(lp.name("kbr0"), la.delete()));
    expect(
      linksIn(lab)
        .map((l) => l.ifname)
        .filter((n) => /^k[dgw]0$/.test(n)),
    ).toEqual([]);
  });

  it("bad input is refused before any request, naming the field", () => {
    expect(refusedField(() => lp.bridge("a-name-too-long-x"))).toBe("name");
    expect(refusedField(() => lp.veth("ok", { name: "bad/name" }))).toBe("veth.peer.name");
    expect(refusedField(() => la.setMac("02:zz:00:00:00:01"))).toBe("mac");
    expect(refusedField(() => la.addAddr("10.0.0.1/33"))).toBe("address");
    expect(refusedField(() => lp.vxlan("vx", { id: 1 << 24 }))).toBe("vxlan.id");
    expect(refusedField(() => lp.vxlan("vx", { id: 1, port: 0 }))).toBe("vxlan.port");
    expect(refusedField(() => lp.index(0))).toBe("link.index");
    expect(refusedField(() => na.addRoute({ to: "10.0.0.0/8" }))).toBe("via");
    expect(refusedField(() => na.addRoute({ to: "10.0.0.0/8", via: "2001:db8::1" }))).toBe("via");
    expect(netnsList(prefix)).toHaveLength(4);
  });
});
