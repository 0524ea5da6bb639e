/**
 * A route the file gives without `metric` is made with the kernel's default
 * (IPv4 0, IPv6 1024), and is compared so: one remade by hand with another
 * metric (`ip route del default; ip route add default via GW metric 5`) is
 * drift, which plan shows and apply undoes (the file's route made, the hand-made
 * one deleted, as everything else a node the lab owns has and the file does
 * not). The kernel's own routes (proto kernel) are left as they were. Checked
 * with iproute2 in the node's namespace.
 */
import { execFileSync } from "node:child_process";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("zl3");

afterEach(async () => {
  try {
    await topology.destroy(prefix);
  } finally {
    cleanup(prefix);
  }
});

afterAll(() => closeDefaultPool());

interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
  protocol?: string;
  metric?: number;
}
const routes = (netns: string, family: "-4" | "-6", proto: "boot" | "kernel") =>
  ipJson<IpRoute[]>(family, "-n", netns, "route", "show", "proto", proto)
    .map(({ dst, gateway, dev, metric }) => ({ dst, gateway, dev, metric: metric ?? 0 }))
    .sort((x, y) => (x.dst < y.dst ? -1 : 1));

it("a route remade by hand with another metric is drift: plan shows it, apply makes the file's and deletes the other", async () => {
  const lab = topology.load({
    name: prefix,
    nodes: {
      a: {
        addresses: { e0: ["10.9.0.1/24", "fd00:9::1/64"] },
        routes: [
          { to: "default", via: "10.9.0.2" },
          { to: "default", via: "fd00:9::2" },
          { to: "10.8.0.0/16", dev: "e0" },
        ],
      },
      b: { addresses: { e0: ["10.9.0.2/24", "fd00:9::2/64"] } },
    },
    links: [{ endpoints: ["a:e0", "b:e0"] }],
  });
  await topology.apply(lab);
  const a = `${prefix}-a`;
  const made = {
    v4: [
      { dst: "10.8.0.0/16", gateway: undefined, dev: "e0", metric: 0 },
      { dst: "default", gateway: "10.9.0.2", dev: "e0", metric: 0 },
    ],
    v6: [{ dst: "default", gateway: "fd00:9::2", dev: "e0", metric: 1024 }],
  };
  expect(routes(a, "-4", "boot")).toEqual(made.v4);
  expect(routes(a, "-6", "boot")).toEqual(made.v6);
  const kernelMade = { v4: routes(a, "-4", "kernel"), v6: routes(a, "-6", "kernel") };
  expect(kernelMade.v4).toEqual([{ dst: "10.9.0.0/24", gateway: undefined, dev: "e0", metric: 0 }]);
  expect(await topology.plan(lab).then((p) => p.changes)).toEqual([]);

  for (const args of [
    ["route", "del", "default"],
    ["route", "add", "default", "via", "10.9.0.2", "metric", "5"],
    ["-6", "route", "del", "default"],
    ["-6", "route", "add", "default", "via", "fd00:9::2", "metric", "7"],
  ])
    execFileSync("ip", ["-n", a, ...args]);
  expect(routes(a, "-4", "boot")[1]).toEqual({ dst: "default", gateway: "10.9.0.2", dev: "e0", metric: 5 });
  expect(routes(a, "-6", "boot")).toEqual([{ dst: "default", gateway: "fd00:9::2", dev: "e0", metric: 7 }]);

  const planned = (await topology.plan(lab)).changes;
  expect(planned.map((c) => ({ op: c.op, object: c.object, route: c.object === "route" ? c.route : undefined }))).toEqual([
    { op: "delete", object: "route", route: expect.objectContaining({ to: "default", via: "fd00:9::2", metric: 7 }) },
    { op: "delete", object: "route", route: expect.objectContaining({ to: "default", via: "10.9.0.2", metric: 5 }) },
    { op: "create", object: "route", route: expect.objectContaining({ to: "default", via: "10.9.0.2", metric: null }) },
    { op: "create", object: "route", route: expect.objectContaining({ to: "default", via: "fd00:9::2", metric: null }) },
  ]);

  await topology.apply(lab);
  expect(routes(a, "-4", "boot")).toEqual(made.v4);
  expect(routes(a, "-6", "boot")).toEqual(made.v6);
  expect({ v4: routes(a, "-4", "kernel"), v6: routes(a, "-6", "kernel") }).toEqual(kernelMade);
  expect((await topology.plan(lab)).changes).toEqual([]);
});
