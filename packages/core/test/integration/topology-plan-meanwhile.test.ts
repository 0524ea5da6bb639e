/**
 * What happens to the lab while a plan reads it. The plan's read of one node
 * is held (held-pool.ts) while the test changes things, then let go: the plan
 * is refused if an apply or destroy of the lab held its lock at any moment of
 * its reads, and otherwise planned from what it read.
 */
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { HeldPool } from "./held-pool.js";
import { cleanup, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tm");
const pools: HeldPool[] = [];
/** A pool of the test's, closed after it. */
function heldPool(): HeldPool {
  const pool = new HeldPool({ size: 2 });
  pools.push(pool);
  return pool;
}

/** Nodes `a` and `b` joined by a veth pair. */
const pair = (name: string): Topology => topology.load({ name, nodes: { a: {}, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  try {
    for (const lab of [`${prefix}a`, `${prefix}o`]) await topology.destroy(lab).catch(() => {});
  } finally {
    cleanup(prefix);
    await closeDefaultPool();
  }
});

describe("a plan whose reads an apply meets", () => {
  it("an apply of the lab that took its lock and let go while the plan read: the plan is refused", async () => {
    const lab = pair(`${prefix}a`);
    await topology.apply(lab);
    const pool = heldPool();
    const hold = pool.hold(`${prefix}a-b`);
    const planned = topology.plan(lab, { pool });
    await hold.reached;
    // Another call of this process: it takes the lock, reads, finds nothing to do and lets go, all while b's read waits.
    expect((await topology.apply(lab)).changes).toEqual([]);
    hold.release();
    await expect(planned).rejects.toMatchObject({
      code: "ERR_TOPOLOGY_LOCKED",
      holder: "",
      message: expect.stringContaining("was being applied or destroyed while this plan read it"),
    });
    // Nothing under way: planned again, it lists nothing.
    expect((await topology.plan(lab)).changes).toEqual([]);
  });

  it("another lab applied and destroyed meanwhile is no concern of the plan", async () => {
    const lab = pair(`${prefix}a`);
    await topology.apply(lab);
    const pool = heldPool();
    const hold = pool.hold(`${prefix}a-b`);
    const planned = topology.plan(lab, { pool });
    await hold.reached;
    const other = pair(`${prefix}o`);
    await topology.apply(other);
    await topology.destroy(other);
    hold.release();
    expect((await planned).changes).toEqual([]);
  });
});
