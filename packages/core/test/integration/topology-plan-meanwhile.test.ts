/**
 * What happens to the lab while a plan reads it. The plan's read of one node
 * is held (held-pool.ts) while the test changes things, then let go: the plan
 * is refused if an apply or destroy of the lab held its lock at any moment of
 * its reads, and otherwise planned from what it read.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, unlinkSync } from "node:fs";
import { closeDefaultPool, Pool, type Topology, topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { HeldPool } from "./held-pool.js";
import { cleanup, endGroup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tm");
const pools: HeldPool[] = [];
/** A pool of the test's, closed after it. */
function heldPool(): HeldPool {
  const pool = new HeldPool({ size: 2 });
  pools.push(pool);
  return pool;
}

const third = `${prefix}-x`;

/** Nodes `a` and `b` joined by a veth pair. */
const pair = (name: string): Topology => topology.load({ name, nodes: { a: {}, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  if (ip("netns", "list").includes(third)) ip("netns", "del", third);
});

afterAll(async () => {
  try {
    for (const lab of [`${prefix}a`, `${prefix}o`, `${prefix}s`, `${prefix}t`]) await topology.destroy(lab).catch(() => {});
  } finally {
    cleanup(prefix);
    await closeDefaultPool();
  }
});

/** `lab` applied, then planned on a pool that holds its read of `netns`: the plan under way once that read waits. */
async function heldAt(lab: Topology, netns: string): Promise<{ planned: Promise<topology.Plan>; release: () => void }> {
  await topology.apply(lab);
  const pool = heldPool();
  const hold = pool.hold(netns);
  const planned = topology.plan(lab, { pool });
  await hold.reached;
  return { planned, release: hold.release };
}

describe("a plan whose reads an apply meets", () => {
  it("an apply of the lab that took its lock and let go while the plan read: the plan is refused", async () => {
    const lab = pair(`${prefix}a`);
    const { planned, release } = await heldAt(lab, `${prefix}a-b`);
    // Another call of this process: it takes the lock, reads, finds nothing to do and lets go, all while b's read waits.
    expect((await topology.apply(lab)).changes).toEqual([]);
    release();
    await expect(planned).rejects.toMatchObject({
      code: "ERR_TOPOLOGY_LOCKED",
      holder: "",
      message: expect.stringContaining("was being applied or destroyed while this plan read it"),
    });
    // Nothing under way: planned again, it lists nothing.
    expect((await topology.plan(lab)).changes).toEqual([]);
  });

  it("another lab applied and destroyed meanwhile is no concern of the plan", async () => {
    const { planned, release } = await heldAt(pair(`${prefix}a`), `${prefix}a-b`);
    const other = pair(`${prefix}o`);
    await topology.apply(other);
    await topology.destroy(other);
    release();
    expect((await planned).changes).toEqual([]);
  });
});

/**
 * A hub joined to h1, h2 and h3 by veth pairs (`hub:vN` to `hN:e0`); `more`: links besides. The file's reference for
 * nsids is the hub (the most veths to other nodes): its ids are asked for as the nodes' reads come in.
 */
const star = (name: string, ...more: { endpoints: string[] }[]): Topology =>
  topology.load({
    name,
    nodes: { hub: {}, h1: {}, h2: {}, h3: {} },
    links: [...[1, 2, 3].map((i) => ({ endpoints: [`h${i}:e0`, `hub:v${i}`] })), ...more],
  });

/**
 * Replaces the pair `a:ea` - `b:eb` by two veths whose far ends stay in a third namespace, each end's peer index made
 * the other end's index (20 and 21): only the namespace the kernel says each peer is in tells it from the lab's pair.
 */
function replaceFromThird(a: string, ea: string, b: string, eb: string): void {
  ip("netns", "add", third);
  ip("-n", a, "link", "del", ea);
  ip("-n", third, "link", "add", "pa", "index", "21", "type", "veth", "peer", "name", ea, "netns", a, "index", "20");
  ip("-n", third, "link", "add", "pb", "index", "20", "type", "veth", "peer", "name", eb, "netns", b, "index", "21");
}

/** Applies `lab` on a pool of its own, closed after: no worker keeps a socket in a namespace the test then deletes. */
async function applied(lab: Topology): Promise<void> {
  const pool = new Pool({ size: 2 });
  try {
    await topology.apply(lab, { pool });
  } finally {
    await pool.close();
  }
}

/** Deletes the named namespace and waits until the kernel has destroyed it: its veths' far ends go with it. */
async function deleted(netns: string, farEnd: [string, string]): Promise<void> {
  ip("netns", "del", netns);
  await vi.waitFor(() => expect(ipJson("-n", farEnd[0], "link", "show").map((l) => l.ifname)).not.toContain(farEnd[1]), {
    timeout: 15_000,
    interval: 20,
  });
}

const described = async (t: Topology, pool?: HeldPool) => (await topology.plan(t, pool && { pool })).changes.map(topology.describeChange);

describe("a plan's nsids, asked while its reads come in", () => {
  it("a pair of a star replaced from a third namespace is caught, with a node missing and made by hand meanwhile", async () => {
    const name = `${prefix}s`;
    const lab = star(name);
    await applied(lab);
    replaceFromThird(`${name}-hub`, "v2", `${name}-h2`, "e0");
    // h3 goes (its pair with it): the plan reads it as missing.
    await deleted(`${name}-h3`, [`${name}-hub`, "v3"]);
    const pool = heldPool();
    const hold = pool.hold(`${name}-h1`);
    const planned = described(lab, pool);
    await hold.reached;
    // While h1's read waits (the hub's has come, or comes: its ids are being asked), h3 is made again by hand, with a
    // veth from the hub: it is not the namespace the plan read, and is asked nothing.
    ip("netns", "add", `${name}-h3`);
    ip("-n", `${name}-hub`, "link", "add", "v3", "type", "veth", "peer", "name", "e0", "netns", `${name}-h3`);
    hold.release();
    const changes = await planned;
    expect(changes).toContain(`- link veth hub:v2 (its peer is in a namespace outside the lab)`);
    expect(changes).toContain(`+ netns ${name}-h3 (node h3)`);
    // The hub's read may have come before or after v3 was made: if after, v3 goes, as a link to a node made anew does.
    const others = changes.filter(
      (c) => c.startsWith("- link") && !c.startsWith("- link veth hub:v2") && !c.startsWith("- link veth h2:e0"),
    );
    expect(others).toEqual(others.length === 0 ? [] : ["- link veth hub:v3"]);
  });

  it("the file's reference not running (the hub gone by hand): asked after the reads, a pair replaced elsewhere is caught", async () => {
    const name = `${prefix}t`;
    const lab = star(name, { endpoints: ["h1:p", "h2:p"] });
    await applied(lab);
    await deleted(`${name}-hub`, [`${name}-h1`, "e0"]);
    replaceFromThird(`${name}-h1`, "p", `${name}-h2`, "p");
    const changes = await described(lab);
    expect(changes).toContain(`+ netns ${name}-hub (node hub)`);
    // h1 (the first of the most veths to others, as read) is the reference now: the pair is judged from its end.
    expect(changes).toContain("- link veth h1:p (its peer is in a namespace outside the lab)");
    expect(changes).toContain("- link veth h2:p (its peer is not h1:p)");
  });
});

describe("apply's lock, looked at while it reads", () => {
  it("its file removed by hand while another process held it: apply is refused, naming that process, changing nothing", async () => {
    const name = `${prefix}r`;
    const lab = topology.load({ name, nodes: { a: {} } });
    const path = `/run/neslink/topologies/${name}.lock`;
    mkdirSync("/run/neslink/topologies", { recursive: true, mode: 0o700 });
    // util-linux's flock holds it (its sleep too), in a group of its own to be ended whole.
    const holder = spawn("flock", [path, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      await vi.waitFor(() => expect(spawnSync("flock", ["-n", path, "true"]).status).not.toBe(0), { timeout: 15_000, interval: 10 });
      unlinkSync(path);
      await expect(topology.apply(lab)).rejects.toMatchObject({
        code: "ERR_TOPOLOGY_LOCKED",
        holder: String(holder.pid),
        message: expect.stringContaining(`(pid ${holder.pid}: flock ${path} sleep 30)`),
      });
      expect(ip("netns", "list")).not.toContain(`${name}-a`);
    } finally {
      await endGroup(holder);
    }
  });
});
