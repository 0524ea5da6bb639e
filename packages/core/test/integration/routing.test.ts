import { execFileSync } from "node:child_process";
import { la, lp, na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("nr");
const names = Array.from({ length: 24 }, (_, i) => `${prefix}${i}`);
const pool = new Pool({ size: 2 });

afterAll(async () => {
  await pool.close();
  cleanup(prefix);
});

/** NETLINK_ROUTE sockets open in a namespace other than the kernel's own (port id 0), from its /proc/net/netlink. */
function routeSocketsIn(name: string): number {
  const rows = execFileSync("ip", ["netns", "exec", name, "cat", "/proc/net/netlink"], { encoding: "utf8" }).trim().split("\n").slice(1);
  return rows.map((row) => row.split(/\s+/)).filter(([, protocol, port]) => protocol === "0" && port !== "0").length;
}

it("later work on a namespace goes to the worker that created it: one socket per namespace, however many tasks", async () => {
  await Promise.all(names.map((name) => nsDoOn(pool, ns.createNamed(name), na.link(lp.name("lo"), la.up()))));
  for (let round = 0; round < 3; round++) {
    const found = await Promise.all(names.map((name) => nsDoOn(pool, ns.name(name), na.links())));
    for (const [i, { results }] of found.entries()) {
      const name = names[i] as string;
      expect(results[0].map((l) => [l.name, l.up])).toEqual(
        ipJson<{ ifname: string; flags: string[] }[]>("-n", name, "link", "show").map((l) => [l.ifname, l.flags.includes("UP")]),
      );
    }
  }
  for (const name of names) expect(routeSocketsIn(name), name).toBe(1);
});

it("namespaces made one at a time still spread over every worker, and each one's work stays on its worker", async () => {
  const thread = new URL("../fixtures/thread.mjs", import.meta.url).pathname;
  const made: number[] = [];
  for (const name of names.slice(0, 6).map((n) => `${n}s`)) {
    const { results } = await nsDoOn(pool, ns.createNamed(name), na.custom(thread, "tid"));
    made.push(results[0] as number);
  }
  expect(new Set(made)).toEqual(new Set(pool.workerTids));
  const later = await Promise.all(names.slice(0, 6).map((n) => nsDoOn(pool, ns.name(`${n}s`), na.custom(thread, "tid"))));
  expect(later.map((r) => r.results[0])).toEqual(made);
});

it("a task any worker may run (a destroy's share) goes to the least busy one; its namespace's other work stays with the owner", async () => {
  const thread = new URL("../fixtures/thread.mjs", import.meta.url).pathname;
  const name = `${names[0]}s`;
  const [owner] = (await nsDoOn(pool, ns.name(name), na.custom(thread, "tid"))).results as [number];
  const busy = (extras: { anyWorker?: true }) =>
    Promise.all([0, 1].map(() => pool.run(ns.name(name), [na.custom(thread, "tidAfter", 300)], undefined, extras)));
  // Two at once: the owner takes the first, the other worker (idle) the second.
  const spread = (await busy({ anyWorker: true })).map((o) => (o.results as number[])[0]);
  expect(new Set(spread)).toEqual(new Set(pool.workerTids));
  // Without it, both wait for the owner.
  expect((await busy({})).map((o) => (o.results as number[])[0])).toEqual([owner, owner]);
});
