/**
 * plan's `signal`: plan took none, so an interrupted caller (a line of `neslink shell`) waited for every read of the
 * lab, then dropped the plan. Aborted, it now rejects with ERR_ABORTED at once, its reads still under way (they change
 * nothing, and end on their own).
 */
import { AbortedError, Pool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("zi2p");
const NODES = 120;
const pool = new Pool({ size: 2 });
/** Tasks sent to `pool` and not yet ended. */
let pending = 0;
/** Called once each task ends. */
let onEnded = () => {};
const run = pool.run.bind(pool);
pool.run = (...args: Parameters<Pool["run"]>) => {
  pending++;
  const task = run(...args);
  const ended = () => {
    pending--;
    onEnded();
  };
  task.then(ended, ended);
  return task;
};

afterAll(async () => {
  cleanup(prefix);
  await pool.close();
});

it("aborted as it reads the lab, rejects with ERR_ABORTED at once: it does not wait for the reads under way", async () => {
  const name = `${prefix}a`;
  const lab = topology.load(`name: ${name}\nnodes:\n${Array.from({ length: NODES }, (_, i) => `  n${i}: {}`).join("\n")}\n`);
  await topology.apply(lab, { pool });
  expect(netnsList(`${name}-`)).toHaveLength(NODES);

  const controller = new AbortController();
  // Aborted once the first of its reads has ended, the others queued behind it on two workers.
  onEnded = () => controller.abort();
  const planning = topology.plan(lab, { pool, signal: controller.signal });
  const err = await planning.then(
    () => undefined,
    (e: unknown) => e,
  );
  const underWay = pending;
  onEnded = () => {};
  expect(err).toBeInstanceOf(AbortedError);
  expect(err).toMatchObject({ code: "ERR_ABORTED", message: expect.stringContaining(`no plan of ${name} was made`) });
  expect(underWay).toBeGreaterThan(0);

  // The reads end on their own; a plan not aborted is whole, and finds nothing to do.
  await new Promise<void>((resolve) => {
    onEnded = () => pending === 0 && resolve();
    onEnded();
  });
  expect((await topology.plan(lab, { pool })).changes).toEqual([]);
  // Aborted before it begins, it reads nothing.
  const before = pending;
  await expect(topology.plan(lab, { pool, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ERR_ABORTED" });
  expect(pending).toBe(before);
  await topology.destroy(name, { pool });
  expect(netnsList(`${name}-`)).toEqual([]);
}, 120_000);

it("refuses a signal that is not an AbortSignal, before anything", async () => {
  const lab = topology.load(`name: ${prefix}b\nnodes:\n  a: {}\n`);
  await expect(topology.plan(lab, { signal: "now" as unknown as AbortSignal })).rejects.toMatchObject({
    code: "ERR_INVALID_ARGUMENT",
    field: "options.signal",
  });
});
