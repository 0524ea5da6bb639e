/**
 * Files whose applied state the kernel keeps otherwise than they say it, so
 * that a plan read back after apply would differ and every apply would undo
 * and redo it: a route's metric 0 (IPv4's dump leaves a 0 out, IPv6 takes 0
 * as 1024), an IPv4 primary address removed while the file keeps its
 * secondaries (the kernel deletes them with it unless promote_secondaries is
 * on), and `ipv6: true` on a node applied with `ipv6: false`. Each is
 * applied, checked with iproute2 in its namespace, and planned again: nothing
 * is left to do.
 */
import { execFileSync } from "node:child_process";
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tcv");
let labs = 0;
/** A lab of its own for each test, removed after it however it ends. */
let current: string | undefined;
const labName = () => {
  current = `${prefix}${labs++}`;
  return current;
};

afterEach(async () => {
  if (current === undefined) return;
  try {
    await topology.destroy(current);
  } finally {
    cleanup(current);
    current = undefined;
  }
});

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const planned = async (t: Topology) => (await topology.plan(t)).changes.map(topology.describeChange);
const sysctlIn = (netns: string, name: string) =>
  execFileSync("ip", ["netns", "exec", netns, "cat", `/proc/sys/${name.replaceAll(".", "/")}`], { encoding: "utf8" }).trim();

interface IpRoute {
  dst: string;
  dev: string;
  protocol: string;
  metric?: number;
}
const routesIn = (netns: string, family: "-4" | "-6") =>
  ipJson<IpRoute[]>(family, "-n", netns, "route", "show", "proto", "boot").map(({ dst, dev, metric }) => ({
    dst,
    dev,
    metric: metric ?? 0,
  }));

interface IpAddr {
  addr_info: { family: string; local: string; prefixlen: number; secondary?: boolean }[];
}
const addressesOn = (netns: string, dev: string, family: "-4" | "-6" = "-4") =>
  (ipJson<IpAddr[]>(family, "-n", netns, "addr", "show", "dev", dev)[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`).sort();

describe("a route's metric 0", () => {
  it("is compared as the kernel keeps it (IPv4 0, IPv6 1024): applied once, planned as done", async () => {
    const name = labName();
    const routes = [
      { to: "10.6.0.0/16", dev: "e0", metric: 0 },
      { to: "fd06::/64", dev: "e0", metric: 0 },
    ];
    const lab = topology.load({
      name,
      nodes: { a: { addresses: { e0: ["10.0.0.1/24", "fd00::1/64"] }, routes }, b: {} },
      links: [{ endpoints: ["a:e0", "b:e0"] }],
    });
    await topology.apply(lab);
    expect(routesIn(`${name}-a`, "-4")).toEqual([{ dst: "10.6.0.0/16", dev: "e0", metric: 0 }]);
    expect(routesIn(`${name}-a`, "-6")).toEqual([{ dst: "fd06::/64", dev: "e0", metric: 1024 }]);
    expect(await planned(lab)).toEqual([]);
    // A second apply touches nothing: the routes stay as they were made.
    expect((await topology.apply(lab)).changes).toEqual([]);
    expect(routesIn(`${name}-a`, "-6")).toEqual([{ dst: "fd06::/64", dev: "e0", metric: 1024 }]);
  });

  it("of IPv6 is the route without one (1024): two such routes of a node are one, a mistake at load", () => {
    const node = {
      addresses: { e0: ["fd00::1/64"] },
      routes: [
        { to: "fd06::/64", dev: "e0", metric: 0 },
        { to: "fd06::/64", dev: "e0" },
      ],
    };
    const load = () => topology.load({ name: `${prefix}x`, nodes: { a: node, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });
    expect(load).toThrow(/1 problem in the topology:\n.*nodes\.a\.routes\[1\]: /);
  });
});

describe("removing an IPv4 primary address whose secondaries the file keeps", () => {
  const lab = (name: string, addresses: string[]) =>
    topology.load({ name, nodes: { a: { bridges: ["br0"], addresses: { br0: addresses } } } });

  it("plans the kept secondaries made again after it (the kernel deletes them with it), and apply ends so", async () => {
    const name = labName();
    await topology.apply(lab(name, ["10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24", "10.7.0.1/24"]));
    expect(addressesOn(`${name}-a`, "br0")).toEqual(["10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24", "10.7.0.1/24"]);
    const kept = lab(name, ["10.0.0.2/24", "10.7.0.1/24"]);
    expect(await planned(kept)).toEqual([
      "- address 10.0.0.3/24 on a:br0",
      "- address 10.0.0.1/24 on a:br0",
      "+ address 10.0.0.2/24 on a:br0 (the kernel deletes it with 10.0.0.1/24, its primary)",
    ]);
    await topology.apply(kept);
    expect(addressesOn(`${name}-a`, "br0")).toEqual(["10.0.0.2/24", "10.7.0.1/24"]);
    expect(await planned(kept)).toEqual([]);
  });

  it("deletes a primary and its secondaries together without failing on those the kernel deleted with it", async () => {
    const name = labName();
    await topology.apply(lab(name, ["10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24"]));
    const none = lab(name, []);
    await topology.apply(none);
    expect(addressesOn(`${name}-a`, "br0")).toEqual([]);
    expect(await planned(none)).toEqual([]);
  });

  it("plans no such re-add where promote_secondaries is on: the kernel keeps them", async () => {
    const name = labName();
    await topology.apply(lab(name, ["10.0.0.1/24", "10.0.0.2/24"]));
    ip("netns", "exec", `${name}-a`, "sysctl", "-qw", "net.ipv4.conf.br0.promote_secondaries=1");
    const kept = lab(name, ["10.0.0.2/24"]);
    expect(await planned(kept)).toEqual(["- address 10.0.0.1/24 on a:br0"]);
    await topology.apply(kept);
    expect(addressesOn(`${name}-a`, "br0")).toEqual(["10.0.0.2/24"]);
    expect(await planned(kept)).toEqual([]);
    // The user's sysctl is theirs: left as they set it.
    expect(sysctlIn(`${name}-a`, "net.ipv4.conf.br0.promote_secondaries")).toBe("1");
  });
});

describe("ipv6: true on a node applied with ipv6: false", () => {
  const lab = (name: string, ipv6: boolean, sysctls: Record<string, number> = {}) =>
    topology.load({ name, nodes: { a: { ipv6, sysctls }, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });

  it("is planned and applied: IPv6 is on again in the node, its loopback has ::1", async () => {
    const name = labName();
    const netns = `${name}-a`;
    await topology.apply(lab(name, false));
    expect(sysctlIn(netns, "net.ipv6.conf.all.disable_ipv6")).toBe("1");
    const on = lab(name, true);
    expect(await planned(on)).toEqual([
      "~ sysctl net.ipv6.conf.all.disable_ipv6 in a: 1 -> 0",
      "~ sysctl net.ipv6.conf.default.disable_ipv6 in a: 1 -> 0",
    ]);
    await topology.apply(on);
    expect(sysctlIn(netns, "net.ipv6.conf.all.disable_ipv6")).toBe("0");
    expect(sysctlIn(netns, "net.ipv6.conf.default.disable_ipv6")).toBe("0");
    expect(sysctlIn(netns, "net.ipv6.conf.e0.disable_ipv6")).toBe("0");
    expect(addressesOn(netns, "lo", "-6")).toEqual(["::1/128"]);
    expect(await planned(on)).toEqual([]);
  });

  it("leaves a disable_ipv6 the file's own sysctls give to them", async () => {
    const name = labName();
    const netns = `${name}-a`;
    const own = lab(name, true, { "net.ipv6.conf.all.disable_ipv6": 1 });
    await topology.apply(own);
    expect(sysctlIn(netns, "net.ipv6.conf.all.disable_ipv6")).toBe("1");
    expect(await planned(own)).toEqual([]);
  });
});

// The kernel drops a link's IPv6 addresses as its disable_ipv6 goes to 1: their deletes come first (they failed with
// "no address" after the sysctl, the apply with them, and only a second apply converged). Writing `all` writes every
// link's and `default`'s: the file's own values for those are written after it (they were left overwritten).
describe("IPv6 turned off on a node that has IPv6 addresses", () => {
  const lab = (name: string, a: { ipv6?: boolean; sysctls?: Record<string, number>; addresses: string[] }) =>
    topology.load({
      name,
      nodes: { a: { ipv6: a.ipv6 ?? true, sysctls: a.sysctls ?? {}, addresses: { e0: a.addresses } }, b: {} },
      links: [{ endpoints: ["a:e0", "b:e0"] }],
    });
  const v6 = ["10.7.1.1/24", "fd00:7::1/64"];

  it("ipv6: false: the addresses deleted, then IPv6 turned off, in one apply", async () => {
    const name = labName();
    const netns = `${name}-a`;
    await topology.apply(lab(name, { addresses: v6 }));
    expect(addressesOn(netns, "e0", "-6")).toContain("fd00:7::1/64");
    const off = lab(name, { ipv6: false, addresses: ["10.7.1.1/24"] });
    await topology.apply(off);
    expect(addressesOn(netns, "e0", "-6")).toEqual([]);
    expect(addressesOn(netns, "e0")).toEqual(["10.7.1.1/24"]);
    expect(sysctlIn(netns, "net.ipv6.conf.e0.disable_ipv6")).toBe("1");
    expect(await planned(off)).toEqual([]);
  });

  it("sysctls turning all's off and one link's on: each as the file says, in one apply", async () => {
    const name = labName();
    const netns = `${name}-a`;
    await topology.apply(lab(name, { addresses: v6 }));
    const sysctls = { "net.ipv6.conf.e0.disable_ipv6": 0, "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.default.disable_ipv6": 0 };
    const off = lab(name, { sysctls, addresses: ["10.7.1.1/24"] });
    await topology.apply(off);
    expect(addressesOn(netns, "e0", "-6").filter((a) => !a.startsWith("fe80:"))).toEqual([]);
    expect(addressesOn(netns, "lo", "-6")).toEqual([]);
    expect(sysctlIn(netns, "net.ipv6.conf.all.disable_ipv6")).toBe("1");
    expect(sysctlIn(netns, "net.ipv6.conf.default.disable_ipv6")).toBe("0");
    expect(sysctlIn(netns, "net.ipv6.conf.e0.disable_ipv6")).toBe("0");
    expect(await planned(off)).toEqual([]);
  });

  it("a new node's all's and default's written in that order, whatever the file's", async () => {
    const name = labName();
    const netns = `${name}-a`;
    const sysctls = { "net.ipv6.conf.default.disable_ipv6": 0, "net.ipv6.conf.all.disable_ipv6": 1 };
    const made = lab(name, { sysctls, addresses: ["10.7.1.1/24"] });
    await topology.apply(made);
    expect(sysctlIn(netns, "net.ipv6.conf.all.disable_ipv6")).toBe("1");
    expect(sysctlIn(netns, "net.ipv6.conf.default.disable_ipv6")).toBe("0");
    expect(await planned(made)).toEqual([]);
  });

  it("an IPv6 address kept on a link the file keeps IPv6 on, while all's goes off: made again after it", async () => {
    const name = labName();
    const netns = `${name}-a`;
    await topology.apply(lab(name, { addresses: v6 }));
    const sysctls = { "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.e0.disable_ipv6": 0 };
    const kept = lab(name, { sysctls, addresses: v6 });
    await topology.apply(kept);
    expect(sysctlIn(netns, "net.ipv6.conf.e0.disable_ipv6")).toBe("0");
    expect(addressesOn(netns, "e0", "-6")).toContain("fd00:7::1/64");
    expect(await planned(kept)).toEqual([]);
  });
});

describe("forwarding turned on for the namespace, kept off on one link", () => {
  const lab = (name: string, sysctls: Record<string, number>) =>
    topology.load({ name, nodes: { a: { sysctls, addresses: { e0: ["10.8.1.1/24"] } }, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });

  // The kernel writes a changed ip_forward or all's forwarding into every link's: the link's own 0 is written again after.
  it.each([
    ["net.ipv4.ip_forward", "net.ipv4.conf.e0.forwarding"],
    ["net.ipv4.conf.all.forwarding", "net.ipv4.conf.e0.forwarding"],
    ["net.ipv6.conf.all.forwarding", "net.ipv6.conf.e0.forwarding"],
  ])("%s: 1, %s: 0 on a node applied with both 0: as the file says in one apply", async (all, own) => {
    const name = labName();
    const netns = `${name}-a`;
    await topology.apply(lab(name, { [all]: 0, [own]: 0 }));
    const on = lab(name, { [all]: 1, [own]: 0 });
    await topology.apply(on);
    expect([sysctlIn(netns, all), sysctlIn(netns, own)]).toEqual(["1", "0"]);
    expect(await planned(on)).toEqual([]);
  });
});
