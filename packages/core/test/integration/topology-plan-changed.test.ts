/**
 * apply's `expected`: the plan someone confirmed is the only one apply carries
 * out. The kernel changed between that plan and the apply (another apply of
 * the lab while the question waited), apply changes nothing and says what
 * differs, rather than destroying a node nobody agreed to destroy.
 */
import { readFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tq");
const ROUTER = readFileSync(new URL("../../examples/topologies/router.yaml", import.meta.url), "utf8");
/** The router lab named `name`, with `extra` node lines added. */
const router = (name: string, ...extra: string[]) =>
  topology.load(ROUTER.replace(/^name: .*$/m, `name: ${name}`).replace(/^links:$/m, `${extra.map((l) => `  ${l}\n`).join("")}links:`));

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const pidsIn = (netns: string) => ip("netns", "pids", netns).trim().split("\n").filter(Boolean);

it("refuses, changing nothing, a plan the kernel no longer matches; applies one it does", async () => {
  const name = `${prefix}a`;
  await topology.apply(router(name));
  const wanted = router(name, "x: {}");
  const confirmed = await topology.plan(wanted);
  expect(confirmed.changes.map(topology.describeChange)).toEqual([`+ netns ${name}-x (node x)`]);
  // Meanwhile, someone else's apply of the lab adds a node with a program.
  await topology.apply(router(name, 'y: { processes: [[sleep, "1000"]] }'));
  const [program] = pidsIn(`${name}-y`);

  const applying = topology.apply(wanted, { expected: confirmed });
  await expect(applying).rejects.toMatchObject({
    code: "ERR_TOPOLOGY_PLAN_CHANGED",
    added: [`- netns ${name}-y (node y)`, `- process y:sleep (pid ${program})`],
    dropped: [],
    message: expect.stringContaining("nothing was changed"),
  });
  await expect(applying).rejects.toBeInstanceOf(topology.TopologyPlanChangedError);
  expect(netnsList(`${name}-`).sort()).toEqual([`${name}-h1`, `${name}-h2`, `${name}-r1`, `${name}-y`]);
  expect(pidsIn(`${name}-y`)).toEqual([program]);
  expect(ipJson("-n", `${name}-h1`, "route", "show", "default")).toMatchObject([{ gateway: "10.0.1.254" }]);

  // Planned again, and that plan confirmed: applied, and let go of its lock.
  const again = await topology.plan(wanted);
  const result = await topology.apply(wanted, { expected: again });
  expect(result.summary).toEqual({ add: 1, change: 0, destroy: 2 });
  expect(netnsList(`${name}-`).sort()).toEqual([`${name}-h1`, `${name}-h2`, `${name}-r1`, `${name}-x`]);
  expect((await topology.plan(wanted)).changes).toEqual([]);
  await topology.destroy(name);
  expect(netnsList(`${name}-`)).toEqual([]);
}, 60_000);

it("refuses another lab's plan, or what is no plan, as options.expected, before anything", async () => {
  const name = `${prefix}b`;
  const other = await topology.plan(router(`${prefix}c`));
  await expect(topology.apply(router(name), { expected: other })).rejects.toMatchObject({
    code: "ERR_INVALID_ARGUMENT",
    field: "options.expected.topology",
  });
  await expect(
    topology.apply(router(name), { expected: { topology: name, changes: "all" } as unknown as topology.Plan }),
  ).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "options.expected.changes" });
  expect(netnsList(`${name}-`)).toEqual([]);
});
