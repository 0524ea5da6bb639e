/** topology.apply's `signal`: aborted before the first change, nothing of the lab is made; once changes have begun, it runs on. */
import { readFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ta");
const ROUTER = new URL("../../examples/topologies/router.yaml", import.meta.url).pathname;
const router = (name: string) => topology.load(readFileSync(ROUTER, "utf8").replace(/^name: .*$/m, `name: ${name}`));

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

it("aborted once the plan is made (its `planned` event), makes no change and rejects with ERR_ABORTED; the lab's lock is let go", async () => {
  const lab = router(`${prefix}a`);
  const controller = new AbortController();
  const events: string[] = [];
  const applying = topology.apply(lab, {
    signal: controller.signal,
    onProgress: (e) => {
      events.push(e.type);
      if (e.type === "planned") controller.abort();
    },
  });
  await expect(applying).rejects.toMatchObject({
    code: "ERR_ABORTED",
    message: expect.stringContaining(`nothing of ${prefix}a was changed`),
  });
  expect(events).toEqual(["planned"]);
  expect(netnsList(`${prefix}a-`)).toEqual([]);
  // Not locked, and still all to do.
  expect((await topology.plan(lab)).summary).toEqual({ add: 11, change: 1, destroy: 0 });
});

it("aborted once changes have begun, runs on to its end", async () => {
  const lab = router(`${prefix}b`);
  const controller = new AbortController();
  const result = await topology.apply(lab, {
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === "phase") controller.abort();
    },
  });
  expect(result.summary).toEqual({ add: 11, change: 1, destroy: 0 });
  expect(netnsList(`${prefix}b-`).sort()).toEqual([`${prefix}b-h1`, `${prefix}b-h2`, `${prefix}b-r1`]);
  await topology.destroy(lab);
  expect(netnsList(`${prefix}b-`)).toEqual([]);
});

it("refuses a signal that is not an AbortSignal, before anything", async () => {
  const lab = router(`${prefix}c`);
  await expect(topology.apply(lab, { signal: {} as AbortSignal })).rejects.toMatchObject({
    code: "ERR_INVALID_ARGUMENT",
    field: "options.signal",
  });
  expect(netnsList(`${prefix}c-`)).toEqual([]);
});
