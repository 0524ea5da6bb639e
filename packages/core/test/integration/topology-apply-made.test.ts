/**
 * An apply that fails in a node's configuration (a route the kernel refuses: IPv6 turned off by hand, which plan
 * cannot foresee) says what it made there before the failure: the address given in the same task was made (ip -j
 * shows it), and is in the error's `done` and its count, not among the failed changes. One stopped before any
 * change of a lab that did not exist leaves nothing of it, its lock file included.
 */
import { existsSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";
import { offOnceMade } from "./refused-route-lab.js";

const prefix = uniquePrefix("tam");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("a refused route: the address made before it in the node's task is done, and said so", async () => {
  const lab = topology.load(
    [
      `name: ${prefix}`,
      "nodes:",
      "  a:",
      "    addresses: { eth0: [10.61.0.1/24] }",
      '    routes: [{ to: "fd00:62::/64", dev: eth0 }]',
      "  b: {}",
      'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
      "",
    ].join("\n"),
  );
  // IPv6 off by hand in a before its link is made: the kernel refuses an IPv6 route there, which no plan can foresee.
  const failed = await topology.apply(lab, { onProgress: offOnceMade(prefix) }).catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(topology.TopologyApplyError);
  const { done, failures, message } = failed as topology.TopologyApplyError;
  const addresses = ipJson<{ ifname: string; addr_info: { local: string; prefixlen: number }[] }[]>(
    "-n",
    `${prefix}-a`,
    "addr",
    "show",
    "eth0",
  );
  expect(addresses[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain("10.61.0.1/24");
  expect(done.filter((c) => c.object === "address").map((c) => topology.describeChange(c))).toEqual(["+ address 10.61.0.1/24 on a:eth0"]);
  expect(failures.map((f) => f.changes)).toEqual([["+ route fd00:62::/64 dev eth0 in a"]]);
  expect(message).toContain(`(${done.length} changes made;`);
  // The failure names the line of the file that asked for the route.
  expect(message).toContain("\n  + route fd00:62::/64 dev eth0 in a (topology:5:14): ");
  expect(done.filter((c) => c.object === "route")).toEqual([]);
});

it("an apply of a new lab stopped before any change (aborted, or refused for a taken name) leaves no lock file", async () => {
  const name = `${prefix}n`;
  const lockFile = `/run/neslink/topologies/${name}.lock`;
  const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n`);
  const controller = new AbortController();
  controller.abort();
  await expect(topology.apply(lab, { signal: controller.signal })).rejects.toMatchObject({ code: "ERR_ABORTED" });
  expect({ lock: existsSync(lockFile), namespaces: netnsList(`${name}-`) }).toEqual({ lock: false, namespaces: [] });
  ip("netns", "add", `${name}-a`);
  await expect(topology.apply(lab)).rejects.toMatchObject({ code: "ERR_TOPOLOGY_CONFLICT" });
  expect(existsSync(lockFile)).toBe(false);
  ip("netns", "del", `${name}-a`);
  // Applied, the lab keeps its lock file until it is destroyed.
  await topology.apply(lab);
  expect(existsSync(lockFile)).toBe(true);
  // Applied again with nothing to change (no change begun), it still has its record: the lock file stays.
  expect((await topology.apply(lab)).changes).toEqual([]);
  expect(existsSync(lockFile)).toBe(true);
  await topology.destroy(name);
  expect(existsSync(lockFile)).toBe(false);
});
