/**
 * What plan refuses because the kernel would refuse it (or take it and keep
 * nothing) once apply had made the lab's namespaces: each claim is shown with
 * iproute2 in a scratch namespace, then topology.load is seen refusing the
 * same value, naming its field.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ActionError, na, ns, nsDo, TopologyError, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemsWith } from "./load-problems.js";
import { cleanup, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("nk");
const scratch = `${prefix}-s`;

/** `ip -n scratch ...`: its status and what it said. */
const ipIn = (...args: string[]) => {
  const r = spawnSync("ip", ["-n", scratch, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr.trim() };
};

beforeAll(() => {
  execFileSync("ip", ["netns", "add", scratch]);
  execFileSync("ip", ["-n", scratch, "link", "add", "e0", "type", "veth", "peer", "name", "e1"]);
  execFileSync("ip", ["-n", scratch, "link", "set", "e0", "up"]);
});
afterAll(() => cleanup(prefix));

describe("plan refuses what the kernel refuses", () => {
  it("an all-zero MAC: the kernel answers EADDRNOTAVAIL", () => {
    const r = ipIn("link", "add", "z0", "address", "00:00:00:00:00:00", "type", "veth", "peer", "name", "z1");
    expect(r).toEqual({ status: 2, stderr: expect.stringContaining("Cannot assign requested address") });
    expect(problemsWith({}, { mac: "00:00:00:00:00:00" })).toEqual([
      { path: "links[0].endpoints[0].mac", message: "00:00:00:00:00:00 is the all-zero MAC, which the kernel refuses for a link" },
    ]);
  });

  it("0.0.0.0 on an interface: the kernel says yes and keeps nothing; :: and IPv6 multicast it refuses", () => {
    const before = ipJson<{ addr_info: unknown[] }[]>("-n", scratch, "address", "show", "dev", "e0")[0]?.addr_info;
    for (const address of ["0.0.0.0/0", "0.0.0.0/24"])
      expect(ipIn("address", "add", address, "dev", "e0")).toEqual({ status: 0, stderr: "" });
    expect(ipJson<{ addr_info: unknown[] }[]>("-n", scratch, "address", "show", "dev", "e0")[0]?.addr_info).toEqual(before);
    expect(ipIn("address", "add", "::/64", "dev", "e0")).toEqual({ status: 2, stderr: expect.stringContaining("Invalid address") });
    expect(ipIn("address", "add", "ff02::5/64", "dev", "e0")).toEqual({ status: 2, stderr: expect.stringContaining("multicast") });
    expect(problemsWith({ addresses: { e0: ["0.0.0.0/0", "::/64", "ff02::5/64", "224.0.0.1/24", "10.0.0.1/24"] } })).toEqual([
      {
        path: "nodes.a.addresses.e0[0]",
        message: "0.0.0.0 is the unspecified address, not an interface's (the kernel takes it and keeps nothing)",
      },
      { path: "nodes.a.addresses.e0[1]", message: ":: is the unspecified address, not an interface's (the kernel refuses it)" },
      { path: "nodes.a.addresses.e0[2]", message: "ff02::5 is an IPv6 multicast address, which the kernel refuses on an interface" },
    ]);
  });

  it("an IPv6 link-local gateway without dev: the kernel answers EINVAL; with dev it takes the route", () => {
    expect(ipIn("-6", "route", "add", "default", "via", "fe80::1")).toEqual({
      status: 2,
      stderr: expect.stringContaining("Egress device not specified"),
    });
    expect(ipIn("-6", "route", "add", "default", "via", "fe80::1", "dev", "e0")).toEqual({ status: 0, stderr: "" });
    expect(
      problemsWith({
        routes: [
          { to: "default", via: "fe80::1" },
          { to: "2001:db8::/64", via: "fe80::1", dev: "e0" },
        ],
      }),
    ).toEqual([
      {
        path: "nodes.a.routes[0].via",
        message: "fe80::1 is link-local: a link-local gateway needs dev, the link it is on (the kernel refuses the route without it)",
      },
    ]);
  });
});

describe("plan refuses a route the kernel would refuse for its gateway or its link", () => {
  // The scratch namespace: e0 up with 10.0.1.1/24 and fd00:1::1/64, d0 down with 10.0.2.1/24.
  beforeAll(() => {
    for (const args of [
      ["link", "add", "d0", "type", "veth", "peer", "name", "d1"],
      ["address", "add", "10.0.1.1/24", "dev", "e0"],
      ["-6", "address", "add", "fd00:1::1/64", "dev", "e0", "nodad"],
      ["address", "add", "10.0.2.1/24", "dev", "d0"],
    ])
      execFileSync("ip", ["-n", scratch, ...args]);
  });
  const unreachable = (via: string, where = "of this node's links that are up", tables = "") =>
    `${via} is in no subnet ${where}, nor under a route with dev alone${tables}: the kernel refuses a gateway it cannot reach directly (ENETUNREACH, "Nexthop has invalid gateway"); give the link an address in its subnet, or add a route to it with dev`;

  it("a gateway in no subnet of the node's links, or only behind another gateway: ENETUNREACH", () => {
    expect(ipIn("route", "add", "10.9.0.0/16", "via", "10.99.0.2")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    // A route via a gateway does not make another gateway reachable; a route with dev alone does.
    expect(ipIn("route", "add", "10.99.0.0/24", "via", "10.0.1.254")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("route", "add", "10.9.0.0/16", "via", "10.99.0.2")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(ipIn("route", "add", "10.98.0.0/24", "dev", "e0")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("route", "add", "10.8.0.0/16", "via", "10.98.0.2")).toEqual({ status: 0, stderr: "" });
    // With dev, the gateway must be on that link; IPv6 alike.
    expect(ipIn("route", "add", "10.7.0.0/16", "via", "10.0.1.9", "dev", "lo")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(ipIn("-6", "route", "add", "fd09::/64", "via", "fd00:99::2")).toEqual({
      status: 2,
      stderr: expect.stringContaining("No route to host"),
    });
    expect(
      problemsWith({
        addresses: { e0: ["10.0.1.1/24", "fd00:1::1/64"] },
        routes: [
          { to: "10.9.0.0/16", via: "10.99.0.2" },
          { to: "10.99.0.0/24", via: "10.0.1.254" },
          { to: "10.6.0.0/16", via: "10.99.0.2" },
          { to: "10.98.0.0/24", dev: "e0" },
          { to: "10.8.0.0/16", via: "10.98.0.2" },
          { to: "10.7.0.0/16", via: "10.0.1.9", dev: "lo" },
          { to: "fd09::/64", via: "fd00:99::2" },
          { to: "fd08::/64", via: "fd00:1::2" },
        ],
      }),
    ).toEqual([
      { path: "nodes.a.routes[0].via", message: unreachable("10.99.0.2") },
      { path: "nodes.a.routes[2].via", message: unreachable("10.99.0.2") },
      { path: "nodes.a.routes[5].via", message: unreachable("10.0.1.9", "of lo") },
      { path: "nodes.a.routes[6].via", message: unreachable("fd00:99::2") },
    ]);
  });

  it("a table's route: its gateway looked up in that table, then in main; never through another table", () => {
    expect(ipIn("route", "add", "10.6.0.0/16", "via", "10.0.1.5", "table", "100")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("route", "add", "10.97.0.0/24", "dev", "e0", "table", "100")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("route", "add", "10.1.0.0/16", "via", "10.97.0.2", "table", "100")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("route", "add", "10.1.0.0/16", "via", "10.97.0.3", "table", "200")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(ipIn("route", "add", "10.1.0.0/16", "via", "10.97.0.3")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(
      problemsWith({
        addresses: { e0: ["10.0.1.1/24"] },
        routes: [
          { to: "10.6.0.0/16", via: "10.0.1.5", table: 100 },
          { to: "10.97.0.0/24", dev: "e0", table: 100 },
          { to: "10.1.0.0/16", via: "10.97.0.2", table: 100 },
          { to: "10.1.0.0/16", via: "10.97.0.3", table: 200 },
          { to: "10.1.0.0/16", via: "10.97.0.3" },
        ],
      }),
    ).toEqual([
      { path: "nodes.a.routes[3].via", message: unreachable("10.97.0.3", undefined, " (in table 200 or main)") },
      { path: "nodes.a.routes[4].via", message: unreachable("10.97.0.3") },
    ]);
  });

  it("a node's own address: an IPv4 gateway (a local route), never an IPv6 one; a subnet's broadcast never", () => {
    expect(ipIn("route", "add", "10.5.0.0/16", "via", "10.0.1.1")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("-6", "route", "add", "fd04::/64", "via", "fd00:1::1")).toEqual({
      status: 2,
      stderr: expect.stringContaining("local address"),
    });
    expect(ipIn("route", "add", "10.4.0.0/16", "via", "10.0.1.255")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(ipIn("route", "add", "10.4.0.0/16", "via", "10.0.1.0")).toEqual({ status: 0, stderr: "" });
    expect(
      problemsWith({
        addresses: { e0: ["10.0.1.1/24", "fd00:1::1/64"] },
        routes: [
          { to: "10.5.0.0/16", via: "10.0.1.1" },
          { to: "fd04::/64", via: "fd00:1::1" },
          { to: "10.4.0.0/16", via: "10.0.1.255" },
          { to: "10.3.0.0/16", via: "10.0.1.0" },
        ],
      }),
    ).toEqual([
      {
        path: "nodes.a.routes[1].via",
        message: "fd00:1::1 is an address of this node (on e0): the kernel refuses a node's own address as a gateway",
      },
      {
        path: "nodes.a.routes[2].via",
        message: "10.0.1.255 is the broadcast address of 10.0.1.1/24 on e0: the kernel refuses it as a gateway",
      },
    ]);
  });

  it("a gateway on a link the file sets down, or a route on such a link: refused (ENETUNREACH, ENETDOWN)", () => {
    expect(ipIn("route", "add", "10.9.0.0/16", "via", "10.0.2.2")).toEqual({
      status: 2,
      stderr: expect.stringContaining("invalid gateway"),
    });
    expect(ipIn("route", "add", "10.9.0.0/16", "via", "10.0.2.1")).toEqual({
      status: 2,
      stderr: expect.stringContaining("Network is down"),
    });
    expect(ipIn("route", "add", "10.9.0.0/16", "dev", "d0")).toEqual({ status: 2, stderr: expect.stringContaining("not up") });
    const down = (via: string) =>
      `${via} is on e0, which the file sets down (up: false): the kernel reaches no gateway through a link that is down (ENETUNREACH)`;
    expect(
      problemsWith(
        {
          addresses: { e0: ["10.0.2.1/24"] },
          routes: [
            { to: "10.9.0.0/16", via: "10.0.2.2" },
            { to: "10.8.0.0/16", via: "10.0.2.1" },
            { to: "10.7.0.0/16", dev: "e0" },
          ],
        },
        {},
        { up: false },
      ),
    ).toEqual([
      { path: "nodes.a.routes[0].via", message: down("10.0.2.2") },
      { path: "nodes.a.routes[1].via", message: down("10.0.2.1") },
      {
        path: "nodes.a.routes[2].dev",
        message: "e0 is set down by the file (up: false): the kernel refuses a route on a link that is down",
      },
    ]);
  });

  it("a gateway reachable through a route with dev alone written after it: apply makes that route first", async () => {
    const lab = topology.load({
      name: prefix,
      nodes: {
        a: {
          addresses: { e0: ["10.0.1.1/24"] },
          routes: [
            { to: "10.8.0.0/16", via: "10.98.0.2" },
            { to: "10.98.0.0/24", dev: "e0" },
          ],
        },
        b: {},
      },
      links: [{ endpoints: ["a:e0", "b:e0"] }],
    });
    try {
      await topology.apply(lab);
      const routes = ipJson<{ dst: string; gateway?: string; dev: string }[]>("-n", `${prefix}-a`, "route", "show", "root", "10.0.0.0/8");
      expect(routes.filter((r) => r.dst !== "10.0.1.0/24").map(({ dst, gateway, dev }) => ({ dst, gateway, dev }))).toEqual([
        { dst: "10.8.0.0/16", gateway: "10.98.0.2", dev: "e0" },
        { dst: "10.98.0.0/24", gateway: undefined, dev: "e0" },
      ]);
    } finally {
      await topology.destroy(lab);
    }
  });

  it("an IPv6 route on a node with ipv6: false: the kernel refuses it", () => {
    execFileSync("ip", ["netns", "exec", scratch, "sysctl", "-qw", "net.ipv6.conf.d0.disable_ipv6=1"]);
    execFileSync("ip", ["-n", scratch, "link", "set", "d0", "up"]);
    expect(ipIn("-6", "route", "add", "fd07::/64", "dev", "d0")).toEqual({
      status: 2,
      stderr: expect.stringContaining("IPv6 is disabled"),
    });
    expect(problemsWith({ ipv6: false, routes: [{ to: "fd07::/64", dev: "e0" }] })).toEqual([
      {
        path: "nodes.a.routes[0]",
        message: 'is an IPv6 route on a node with ipv6: false: the kernel refuses it ("IPv6 is disabled on nexthop device")',
      },
    ]);
  });
});

describe("sysctls the kernel does not have or refuses a value of", () => {
  const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The lab's name is the prefix: its namespaces would be prefix-a, prefix-b.
  const text = [
    `name: ${prefix}`,
    "nodes:",
    "  a:",
    "    sysctls:",
    "      net.ipv4.ip_forward: 1",
    "      net.ipv4.nosuch: 1",
    "      net.core.somaxconn: -5",
    "      net.ipv4.conf.e0.rp_filter: 2",
    "      net.ipv4.conf.e0.nosuch: 1",
    "  b: { sysctls: { net.ipv4.ip_forward: 1 } }",
    'links: [{ endpoints: ["a:e0", "b:e0"] }]',
    "",
  ].join("\n");

  it("the kernel has no net.ipv4.nosuch in a namespace and refuses somaxconn -5 (EINVAL)", () => {
    expect(existsSync(`/proc/sys/net/ipv4/nosuch`)).toBe(false);
    const r = spawnSync("ip", ["netns", "exec", scratch, "sysctl", "-w", "net.core.somaxconn=-5"], { encoding: "utf8" });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: expect.stringContaining("Invalid argument") });
  });

  it("plan and apply refuse them at their lines, naming each, before anything is made", async () => {
    const file = `${dir}/lab.yaml`;
    writeFileSync(file, text);
    const lab = topology.load(file);
    for (const run of [() => topology.plan(lab), () => topology.apply(lab)]) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TopologyError);
      expect((err as TopologyError).message.split("\n").slice(1)).toEqual([
        `  ${file}:6:24: nodes.a.sysctls["net.ipv4.nosuch"]: the kernel has no such sysctl (no /proc/sys/net/ipv4/nosuch in a network namespace)`,
        `  ${file}:7:27: nodes.a.sysctls["net.core.somaxconn"]: the kernel refuses "-5" for it (EINVAL, tried in a new namespace)`,
        `  ${file}:9:32: nodes.a.sysctls["net.ipv4.conf.e0.nosuch"]: the kernel has no such sysctl (no /proc/sys/net/ipv4/conf/default/nosuch in a network namespace)`,
      ]);
      expect(netnsList(prefix)).toEqual([`${scratch}`]);
    }
  });

  it("a failed write names its sysctl, not only its place among the actions", async () => {
    const err = await nsDo(ns.create(), na.sysctl("net.ipv4.ip_forward", "1"), na.sysctl("net.core.somaxconn", "-5")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).message).toMatch(/\(action #1: sysctl net\.core\.somaxconn\)$/);
  });
});
