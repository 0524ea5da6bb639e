/**
 * An apply's failure is told in the words of the file: the change refused (its description and FILE:LINE:COLUMN) and
 * the kernel's error, not "(action #2: replaceRoute)", an index into the list of actions apply made of the node's
 * changes, which no user wrote. The same in the error's message, its JSON (the CLI's --json, the HTTP body) and the
 * `failed` event.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";
import { offOnceMade, REFUSED, refusedRouteLab } from "./refused-route-lab.js";

const prefix = uniquePrefix("zm2");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("names the refused change and its place, with the kernel's own error, and no action index", async () => {
  const events: topology.ApplyEvent[] = [];
  const failed = await topology
    .apply(topology.load(refusedRouteLab(prefix), { label: "lab.yaml" }), { onProgress: offOnceMade(prefix, (e) => events.push(e)) })
    .catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(topology.TopologyApplyError);
  const error = failed as topology.TopologyApplyError;
  // What the kernel has: the refused route is not there.
  const routes = ipJson<{ dst: string }[]>("-d", "-n", `${prefix}-a`, "-6", "route", "show").map((r) => r.dst);
  expect(routes).not.toContain(REFUSED.dst);
  const kernel = "netlink RTM_NEWROUTE failed: EACCES (IPv6 is disabled on nexthop device)";
  expect(error.message).toContain(`\n  ${REFUSED.text} (lab.yaml:${REFUSED.at}): ${kernel}\n`);
  expect(error.message).not.toMatch(/action #/);
  const told = { name: "NetlinkError", code: "EACCES", message: kernel, errno: 13, syscall: "netlink RTM_NEWROUTE" };
  expect(JSON.parse(JSON.stringify(error)).failures[0].error).toMatchObject(told);
  expect(JSON.parse(JSON.stringify(error)).failures[0].error).not.toHaveProperty("actionIndex");
  const event = events.find((e) => e.type === "failed");
  expect(event?.type === "failed" && event.error).toMatchObject(told);
});
