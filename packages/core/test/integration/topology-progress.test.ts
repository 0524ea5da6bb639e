/** topology.apply's `onProgress` throwing: the apply stops with that error, once the changes in flight have ended. */
import { readFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tp");
const ROUTER = new URL("../../examples/topologies/router.yaml", import.meta.url).pathname;
const router = (name: string) => topology.load(readFileSync(ROUTER, "utf8").replace(/^name: .*$/m, `name: ${name}`));

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("an onProgress that throws at the first change stops the apply with its own error, after the wave in flight, not an internal TypeError", async () => {
  const lab = router(`${prefix}a`);
  const boom = new Error("progress boom");
  const changes: string[] = [];
  const applying = topology.apply(lab, {
    onProgress: (e) => {
      if (e.type !== "change") return;
      changes.push(e.text);
      throw boom;
    },
  });
  // It was `failures.every is not a function`, while the wave's other jobs ran on unawaited.
  await expect(applying).rejects.toBe(boom);
  // Every namespace of the first wave was made (and said) before the apply ended; none is made after it.
  expect(changes.filter((c) => c.startsWith("+ netns"))).toHaveLength(3);
  expect(netnsList(`${prefix}a-`).sort()).toEqual([`${prefix}a-h1`, `${prefix}a-h2`, `${prefix}a-r1`]);
  // Its lock was let go: plan and apply run, and finish the lab.
  expect((await topology.plan(lab)).summary.add).toBeGreaterThan(0);
  await topology.apply(lab);
  expect((await topology.plan(lab)).summary).toEqual({ add: 0, change: 0, destroy: 0 });
  await topology.destroy(lab);
  expect(netnsList(`${prefix}a-`)).toEqual([]);
});
