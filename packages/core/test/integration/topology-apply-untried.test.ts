/**
 * An apply whose node task stops at a refused route (its gateway is on no subnet of the node: ENETUNREACH) tells that
 * route alone as failed, with the kernel's error, and the routes after it in the same task, never sent, as not
 * attempted: ip -j shows the route before it made and none of those after.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tau");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("routes after a refused one are not attempted, not failed, and the kernel has none of them", async () => {
  const lab = topology.load(
    [
      `name: ${prefix}`,
      "nodes:",
      "  a:",
      "    addresses: { eth0: [10.61.0.1/24] }",
      "    routes:",
      "      - { to: 10.70.0.0/16, via: 10.61.0.254 }",
      "      - { to: 10.62.0.0/16, via: 10.63.0.1 }",
      "      - { to: 10.64.0.0/16, via: 10.61.0.254 }",
      "      - { to: 10.65.0.0/16, dev: eth0 }",
      "  b: {}",
      'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
      "",
    ].join("\n"),
  );
  const events: topology.ApplyEvent[] = [];
  const failed = await topology.apply(lab, { onProgress: (e) => events.push(e) }).catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(topology.TopologyApplyError);
  const error = failed as topology.TopologyApplyError;
  const routes = ipJson<{ dst: string }[]>("-d", "-n", `${prefix}-a`, "route", "show").map((r) => r.dst);
  expect(routes).toContain("10.70.0.0/16");
  expect(routes.filter((dst) => ["10.62.0.0/16", "10.64.0.0/16", "10.65.0.0/16"].includes(dst))).toEqual([]);
  const untried = ["+ route 10.64.0.0/16 via 10.61.0.254 in a", "+ route 10.65.0.0/16 dev eth0 in a"];
  expect(error.failures).toEqual([
    {
      changes: ["+ route 10.62.0.0/16 via 10.63.0.1 in a"],
      error: expect.objectContaining({ code: "ENETUNREACH" }),
      notAttempted: untried,
    },
  ]);
  expect(error.done.filter((c) => c.object === "route").map((c) => topology.describeChange(c))).toEqual([
    "+ route 10.70.0.0/16 via 10.61.0.254 in a",
  ]);
  // As JSON (the CLI's --json, the HTTP adapter's body), the same.
  expect(JSON.parse(JSON.stringify(error)).failures[0].notAttempted).toEqual(untried);
  expect(error.message).toContain(`\n  + route 10.62.0.0/16 via 10.63.0.1 in a: `);
  expect(error.message).toContain(`\n    not attempted (stopped by that failure): ${untried.join("; ")}`);
  const told = events.flatMap((e) => (e.type === "failed" ? [e] : []));
  expect(told.map((e) => [e.changes.map(topology.describeChange), e.notAttempted.map(topology.describeChange)])).toEqual([
    [["+ route 10.62.0.0/16 via 10.63.0.1 in a"], untried],
  ]);
});
