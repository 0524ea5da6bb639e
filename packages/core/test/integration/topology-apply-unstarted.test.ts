/**
 * An apply stopped by a refused route (node a's configuration) never starts a's exec commands nor its programs, of
 * later phases: they are in the error's top-level `notAttempted`, and every planned change is told exactly once (done,
 * a failure's changes or notAttempted, or notAttempted), the message's counts adding up to the plan. ip shows that
 * neither the command (its dummy link) nor the program (a process in a's namespace) ran.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";
import { LATER, offOnceMade, REFUSED, refusedRouteLab, UNTRIED, withLaterPhases } from "./refused-route-lab.js";

const prefix = uniquePrefix("tun");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("tells the changes of phases it never started as not attempted, each planned change once", async () => {
  let planned: string[] = [];
  const failed = await topology
    .apply(topology.load(withLaterPhases(refusedRouteLab(prefix))), {
      onProgress: offOnceMade(prefix, (e) => {
        if (e.type === "planned") planned = e.plan.changes.map(topology.describeChange);
      }),
    })
    .catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(topology.TopologyApplyError);
  const error = failed as topology.TopologyApplyError;
  // Neither ran: no dummy link from the command, no process in the namespace.
  const links = ipJson<{ ifname: string }[]>("-d", "-n", `${prefix}-a`, "link", "show").map((l) => l.ifname);
  expect(links).toContain("eth0");
  expect(links).not.toContain(LATER.link);
  expect(ip("netns", "pids", `${prefix}-a`).trim()).toBe("");
  expect(error.notAttempted).toEqual(LATER.texts);
  expect(JSON.parse(JSON.stringify(error)).notAttempted).toEqual(LATER.texts);
  const told = [
    ...error.done.map(topology.describeChange),
    ...error.failures.flatMap((f) => [...f.changes, ...f.notAttempted]),
    ...error.notAttempted,
  ];
  expect([...told].sort()).toEqual([...planned].sort());
  const untried = UNTRIED.length + LATER.texts.length;
  expect(error.message).toContain(`(${error.done.length} changes made; 1 failed, ${untried} not attempted;`);
  expect(error.done.length + 1 + untried).toBe(planned.length);
  expect(error.message).toContain(`\n  not attempted (apply stopped before them): ${LATER.texts.join("; ")}`);
  expect(error.failures.map((f) => f.changes)).toEqual([[REFUSED.text]]);
});
