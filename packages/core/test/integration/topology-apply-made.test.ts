/**
 * An apply that fails in a node's configuration (a route the kernel refuses: its gateway is on no subnet of the
 * node, ENETUNREACH) says what it made there before the failure: the address given in the same task was made (ip -j
 * shows it), and is in the error's `done` and its count, not among the failed changes.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

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
      "    routes: [{ to: 10.62.0.0/16, via: 10.63.0.1 }]",
      "  b: {}",
      'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
      "",
    ].join("\n"),
  );
  const failed = await topology.apply(lab).catch((err: unknown) => err);
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
  expect(failures.map((f) => f.changes)).toEqual([["+ route 10.62.0.0/16 via 10.63.0.1 in a"]]);
  expect(message).toContain(`(${done.length} changes made;`);
  expect(done.filter((c) => c.object === "route")).toEqual([]);
});
