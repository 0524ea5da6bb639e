/**
 * IPv6 on a link whose IPv6 its node's own sysctls turn off (the node's ipv6 left true): the kernel refuses an IPv6
 * address there and an IPv6 route through it, as shown with iproute2 in a scratch namespace; load refuses the same
 * file at the field, rather than apply failing once it had made the lab's namespaces. Likewise on a link whose MTU is
 * below IPv6's minimum, where the kernel keeps no IPv6 state.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { afterEach, beforeEach, expect, it } from "vitest";
import { problemsWith } from "./load-problems.js";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("zv6");
const scratch = `${prefix}-s`;
const link = "v0";

/** `ip -n scratch ...`: its status and what it said. */
const ipIn = (...args: string[]) => {
  const r = spawnSync("ip", ["-n", scratch, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr.trim() };
};

beforeEach(() => {
  execFileSync("ip", ["netns", "add", scratch]);
  execFileSync("ip", ["-n", scratch, "link", "add", link, "type", "veth", "peer", "name", "v1"]);
  execFileSync("ip", ["netns", "exec", scratch, "sysctl", "-qw", `net.ipv6.conf.${link}.disable_ipv6=1`]);
  execFileSync("ip", ["-n", scratch, "link", "set", link, "up"]);
});
afterEach(() => cleanup(prefix));

it("an IPv6 address: the kernel refuses it (EACCES); load refuses it at its field, unless the link's own 0 turns it back on", () => {
  expect(ipIn("-6", "address", "add", "fd06::1/64", "dev", link)).toEqual({
    status: 2,
    stderr: expect.stringContaining("IPv6 is disabled on this device"),
  });
  const global = (
    ipJson<{ addr_info: { scope: string }[] }[]>("-n", scratch, "-6", "address", "show", "dev", link)[0]?.addr_info ?? []
  ).filter((a) => a.scope === "global");
  expect(global).toEqual([]);
  for (const key of ["net.ipv6.conf.e0.disable_ipv6", "net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"]) {
    expect(problemsWith({ sysctls: { [key]: 1 } }, { addresses: ["fd06::1/64"] })).toEqual([
      {
        path: "links[0].endpoints[0].addresses[0]",
        message: `IPv6 address on e0, whose IPv6 ${key}: 1 turns off: the kernel refuses it ("IPv6 is disabled on this device")`,
      },
    ]);
  }
  const back = { "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.e0.disable_ipv6": 0 };
  expect(problemsWith({ sysctls: back }, { addresses: ["fd06::1/64"] })).toEqual([]);
});

it("an IPv6 route through it: the kernel refuses it; load refuses it at its dev", () => {
  expect(ipIn("-6", "route", "add", "fd08::/64", "dev", link)).toEqual({ status: 2, stderr: expect.stringContaining("IPv6 is disabled") });
  expect(ipJson<unknown[]>("-n", scratch, "-6", "route", "show", "dev", link)).toEqual([]);
  expect(problemsWith({ sysctls: { "net.ipv6.conf.e0.disable_ipv6": 1 }, routes: [{ to: "fd08::/64", dev: "e0" }] })).toEqual([
    {
      path: "nodes.a.routes[0].dev",
      message:
        'is an IPv6 route on e0, whose IPv6 net.ipv6.conf.e0.disable_ipv6: 1 turns off: the kernel refuses it ("IPv6 is disabled on nexthop device")',
    },
  ]);
});

it("on a link whose mtu is below IPv6's minimum: the kernel refuses an IPv6 address (EINVAL) and route (ENODEV); load refuses both", () => {
  execFileSync("ip", ["-n", scratch, "link", "add", "m0", "mtu", "1279", "type", "veth", "peer", "name", "m1"]);
  execFileSync("ip", ["-n", scratch, "link", "set", "m0", "up"]);
  expect(ipIn("-6", "address", "add", "fd06::1/64", "dev", "m0")).toEqual({
    status: 2,
    stderr: expect.stringContaining("Invalid argument"),
  });
  expect(ipIn("-6", "route", "add", "fd08::/64", "dev", "m0")).toEqual({ status: 2, stderr: expect.stringContaining("No such device") });
  expect(ipJson<{ addr_info: unknown[] }[]>("-n", scratch, "-6", "address", "show", "dev", "m0")[0]?.addr_info ?? []).toEqual([]);
  expect(problemsWith({ routes: [{ to: "fd08::/64", dev: "e0" }] }, { addresses: ["fd06::1/64"] }, { mtu: 1279 })).toEqual([
    {
      path: "links[0].endpoints[0].addresses[0]",
      message: "IPv6 address on e0, whose mtu 1279 is below IPv6's minimum, 1280: the kernel refuses it (EINVAL)",
    },
    {
      path: "nodes.a.routes[0].dev",
      message: "is an IPv6 route on e0, whose mtu 1279 is below IPv6's minimum, 1280: the kernel refuses it (ENODEV)",
    },
  ]);
  expect(problemsWith({ routes: [{ to: "fd08::/64", dev: "e0" }] }, { addresses: ["fd06::1/64"] }, { mtu: 1280 })).toEqual([]);
});
