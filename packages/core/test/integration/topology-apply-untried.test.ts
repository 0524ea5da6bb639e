/**
 * An apply whose node task stops at a refused route (IPv6 turned off by hand: EACCES) tells that
 * route alone as failed, with the kernel's error, and the routes after it in the same task, never sent, as not
 * attempted: ip -j shows the route before it made and none of those after.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";
import { MADE, offOnceMade, REFUSED, refusedRouteLab, UNTRIED } from "./refused-route-lab.js";

const prefix = uniquePrefix("tau");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("routes after a refused one are not attempted, not failed, and the kernel has none of them", async () => {
  const events: topology.ApplyEvent[] = [];
  const failed = await topology
    .apply(topology.load(refusedRouteLab(prefix)), { onProgress: offOnceMade(prefix, (e) => events.push(e)) })
    .catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(topology.TopologyApplyError);
  const error = failed as topology.TopologyApplyError;
  const routes = ipJson<{ dst: string }[]>("-d", "-n", `${prefix}-a`, "route", "show").map((r) => r.dst);
  expect(routes).toContain(MADE.dst);
  expect(routes.filter((dst) => [REFUSED, ...UNTRIED].some((r) => r.dst === dst))).toEqual([]);
  const untried = UNTRIED.map((r) => r.text);
  expect(error.failures).toEqual([{ changes: [REFUSED.text], error: expect.objectContaining({ code: "EACCES" }), notAttempted: untried }]);
  expect(error.done.filter((c) => c.object === "route").map((c) => topology.describeChange(c))).toEqual([MADE.text]);
  // As JSON (the CLI's --json, the HTTP adapter's body), the same.
  expect(JSON.parse(JSON.stringify(error)).failures[0].notAttempted).toEqual(untried);
  // With the place in the file that asked for it.
  expect(error.message).toContain(`\n  ${REFUSED.text} (topology:${REFUSED.at}): `);
  expect(error.message).toContain(`\n    not attempted (stopped by that failure): ${untried.join("; ")}`);
  const told = events.flatMap((e) => (e.type === "failed" ? [e] : []));
  expect(told.map((e) => [e.changes.map(topology.describeChange), e.notAttempted.map(topology.describeChange)])).toEqual([
    [[REFUSED.text], untried],
  ]);
  expect(told.map((e) => e.places)).toEqual([[`topology:${REFUSED.at}`]]);
});
