/**
 * plan, apply, inspect and destroy given a topology object that did not come
 * from topology.load as it is (hand-built, changed after load, read through
 * getters): held to the file's rules before anything changes, and the work
 * uses one copy of it. Checked with iproute2 and the file system.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tm");
const outside = `${tmpdir()}/${prefix}-outside`;

afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
  rmSync(outside, { recursive: true, force: true });
});

/** A two-node lab with a program: its log dir and cgroup are named by the node and the program. */
const labOf = (name: string): Topology =>
  topology.load({
    name,
    nodes: { a: { addresses: { e0: ["10.9.0.1/24"] }, processes: [{ name: "s", command: ["sleep", "300"] }] }, b: {} },
    links: [{ endpoints: ["a:e0", "b:e0"] }],
  });

/** A plain copy, so that nothing of load's own object is used. */
const handBuilt = (t: Topology): Topology => structuredClone(t);

describe("a topology that did not come from topology.load", () => {
  it("is refused with a typed error naming the field, before anything is made, when load would refuse it", async () => {
    const name = `${prefix}a`;
    const traversal = handBuilt(labOf(name));
    // Its log dir would be /run/neslink/topologies/<lab>/<node>: with this node name, outside.
    const node = traversal.nodes[0] as Topology["nodes"][number];
    node.name = `../../../..${outside}`;
    (traversal.links[0] as Topology["links"][number]).endpoints[0].node = node.name;
    ((traversal.nodes[1] as Topology["nodes"][number]).interfaces[0] as { peer: { node: string } }).peer.node = node.name;
    const lateNetns = handBuilt(labOf(name));
    // Sorted after a: a's namespace was made before b's name was found bad.
    (lateNetns.nodes[1] as Topology["nodes"][number]).netns = "b b";
    const hostSysctl = handBuilt(labOf(name));
    (hostSysctl.nodes[0] as Topology["nodes"][number]).sysctls = { "net/../../kernel/hostname": "x" };
    for (const t of [traversal, lateNetns, hostSysctl]) {
      await expect(topology.apply(t)).rejects.toMatchObject({ code: "ERR_TOPOLOGY_INVALID" });
      await expect(topology.plan(t)).rejects.toMatchObject({ code: "ERR_TOPOLOGY_INVALID" });
    }
    expect(existsSync(outside)).toBe(false);
    expect(netnsList(prefix)).toEqual([]);
  });

  it("of the wrong shape is a ValidationError naming the field, not a TypeError or an unhandled rejection", async () => {
    const name = `${prefix}b`;
    const all = [topology.plan, topology.apply, topology.inspect, topology.destroy] as ((t: never) => Promise<unknown>)[];
    const cases: [unknown, string, typeof all][] = [
      [{ name }, "topology.nodes", all],
      [{ ...handBuilt(labOf(name)), nodes: [null] }, "topology.nodes[0]", all],
      [{ ...handBuilt(labOf(name)), extra: 1 }, "topology.extra", all],
      [{ ...handBuilt(labOf(name)), nodes: [{ ...handBuilt(labOf(name)).nodes[0], extra: 1 }] }, "topology.nodes[0].extra", all],
      // destroy reads no link: it removes the lab by its name and marks.
      [{ ...handBuilt(labOf(name)), links: [{ endpoints: [{ node: "a", interface: "e0", run: () => {} }] }] }, "topology", all.slice(0, 3)],
    ];
    for (const [t, field, runs] of cases) {
      for (const run of runs) await expect(run(t as never)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field });
    }
    // A field the file cannot say, or a peer that does not match its link, is not what load makes.
    const peer = handBuilt(labOf(name));
    ((peer.nodes[1] as Topology["nodes"][number]).interfaces[0] as { peer: { interface: string } }).peer.interface = "e9";
    await expect(topology.apply(peer)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "topology.nodes[1].interfaces[0].peer.interface",
    });
    expect(netnsList(prefix)).toEqual([]);
  });

  it("is applied as read once: a getter that changes its answer after the check changes nothing", async () => {
    const name = `${prefix}c`;
    for (const t of [labOf(name), handBuilt(labOf(name))]) {
      const b = t.nodes[1] as Topology["nodes"][number];
      let reads = 0;
      Object.defineProperty(b, "netns", { enumerable: true, get: () => (reads++ === 0 ? `${name}-b` : `${name}-x`) });
      await topology.apply(t);
      expect(netnsList(name).sort()).toEqual([`${name}-a`, `${name}-b`]);
      const [e0] = ipJson<{ addr_info: { local: string }[] }[]>("-n", `${name}-a`, "-4", "addr", "show", "e0");
      expect(e0?.addr_info.map((a) => a.local)).toEqual(["10.9.0.1"]);
      // Each call reads it once more: destroy reads the first answer again, so it finds the lab as made.
      reads = 0;
      expect((await topology.destroy(t)).removed.map((r) => r.netns).sort()).toEqual([`${name}-a`, `${name}-b`]);
      expect(netnsList(name)).toEqual([]);
    }
  });
});
