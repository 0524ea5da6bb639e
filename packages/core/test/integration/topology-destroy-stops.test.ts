/**
 * destroy's `signal` once its changes have begun: it let the destroy run on to its end, so a caller told of its
 * interruption ("partly destroyed") was told what was not so. Now the deletions in flight end (a namespace's links that
 * reach outside it deleted and its unmount, one step) and no more start: what is left is whole, each of its namespaces
 * mounted with its links, and a second destroy finishes it.
 */
import { readFileSync } from "node:fs";
import { AbortedError, closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("zi2d");
const HOSTS = 60;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** A bridge and HOSTS hosts, each with a veth to it: deleting a host's veth takes the kernel ~16 ms, one at a time. */
function star(name: string): topology.Topology {
  const nodes = ["  hub: { bridges: [br0] }", ...Array.from({ length: HOSTS }, (_, i) => `  h${i}: {}`)];
  const links = Array.from({ length: HOSTS }, (_, i) => `  - endpoints: ["h${i}:eth0", { node: hub, interface: v${i}, master: br0 }]`);
  return topology.load(`name: ${name}\nnodes:\n${nodes.join("\n")}\nlinks:\n${links.join("\n")}\n`);
}

/** The lab's entries under /run/netns with no namespace mounted on them. */
function unmounted(name: string): string[] {
  const mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  return netnsList(`${name}-`).filter((entry) => !mountinfo.includes(` /run/netns/${entry} `));
}

it("aborted once its first namespace is gone: the deletions in flight end, no more start, and what is left is whole", async () => {
  const name = `${prefix}a`;
  const lab = star(name);
  await topology.apply(lab);
  expect(netnsList(`${name}-`)).toHaveLength(HOSTS + 1);

  const controller = new AbortController();
  const destroying = topology.destroy(name, { signal: controller.signal });
  const outcome = destroying.then(
    () => undefined,
    (err: unknown) => err,
  );
  // Changes have begun once a namespace of the lab is gone (or the destroy ended, which the test then fails on).
  let ended = false;
  void outcome.then(() => {
    ended = true;
  });
  while (!ended && netnsList(`${name}-`).length === HOSTS + 1) await new Promise((r) => setTimeout(r, 1));
  controller.abort();
  const err = await outcome;
  expect(err).toBeInstanceOf(AbortedError);
  expect(err).toBeInstanceOf(topology.TopologyDestroyAbortedError);
  const aborted = err as InstanceType<typeof topology.TopologyDestroyAbortedError>;
  expect(aborted.code).toBe("ERR_ABORTED");

  const left = netnsList(`${name}-`);
  // Partly destroyed, as it says: some of the lab gone, some of it still there, what went is what it says it removed.
  expect(left.length).toBeGreaterThan(0);
  expect(left.length).toBeLessThan(HOSTS + 1);
  expect(aborted.removed.map((r) => r.netns).sort()).toEqual(
    lab.nodes
      .map((n) => n.netns)
      .filter((ns) => !left.includes(ns))
      .sort(),
  );
  expect(aborted.message).toContain(`${name} is partly destroyed (${aborted.removed.length} namespaces removed;`);
  // No entry without its namespace, and no namespace half-removed: each host left still has its veth (while the hub,
  // its far end's namespace, is left too: deleting the hub deletes every veth).
  expect(unmounted(name)).toEqual([]);
  const hosts = left.filter((n) => n !== `${name}-hub`);
  for (const ns of hosts) expect(ipJson<{ ifname: string }[]>("-n", ns, "link", "show").map((l) => l.ifname)).toContain("lo");
  if (left.includes(`${name}-hub`))
    for (const ns of hosts) expect(ipJson<{ ifname: string }[]>("-n", ns, "link", "show").map((l) => l.ifname)).toEqual(["lo", "eth0"]);

  // The lock was let go, and a second destroy finishes the job.
  const again = await topology.destroy(name);
  expect(again.removed.map((r) => r.netns).sort()).toEqual([...left].sort());
  expect(netnsList(`${name}-`)).toEqual([]);
}, 120_000);
