import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { graphOfInspection, graphOfTopology, toDot, toMermaid } from "./graph.js";
import type { InspectedInterface, Inspection } from "./inspect.js";
import { load } from "./load.js";

const router = load(fileURLToPath(new URL("../../examples/topologies/router.yaml", import.meta.url)));

const iface = (index: number, name: string, peerIndex: number | null, up = true, addresses: string[] = []): InspectedInterface => ({
  index,
  name,
  kind: peerIndex === null ? null : "veth",
  up,
  operstate: up ? "up" : "down",
  mtu: 1500,
  mac: null,
  master: null,
  addresses,
  peerIndex,
});

describe("graph", () => {
  it("refuses what topology.load did not make, naming the field, as plan does", () => {
    const fileShaped = { name: "x", nodes: { a: {} }, links: [] } as unknown as typeof router;
    expect(() => graphOfTopology(fileShaped)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "topology.nodes", message: expect.stringContaining("topology.load") }),
    );
    expect(() => graphOfTopology(null as unknown as typeof router)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }));
  });

  it("draws the router example's file: three nodes, two veth pairs", () => {
    const graph = graphOfTopology(router);
    expect(graph.nodes.map((n) => [n.name, n.state])).toEqual([
      ["h1", "planned"],
      ["h2", "planned"],
      ["r1", "planned"],
    ]);
    expect(graph.edges).toEqual([
      { a: { node: "h1", interface: "eth0" }, b: { node: "r1", interface: "eth1" }, up: true },
      { a: { node: "h2", interface: "eth0" }, b: { node: "r1", interface: "eth2" }, up: true },
    ]);
  });

  it("pairs live veth ends only when each names the other's index, across nodes", () => {
    const inspection: Inspection = {
      topology: "t",
      nodes: [
        { name: "a", netns: "t-a", state: "running", routes: [], processes: [], interfaces: [iface(1, "lo", null), iface(2, "eth0", 7)] },
        // index 7 here names index 2 back: a pair. c's eth0 also has index 7 but names 3, not 2: not a's peer.
        { name: "b", netns: "t-b", state: "running", routes: [], processes: [], interfaces: [iface(7, "eth0", 2, false)] },
        { name: "c", netns: "t-c", state: "running", routes: [], processes: [], interfaces: [iface(7, "eth0", 3)] },
        { name: "d", netns: "t-d", state: "missing", routes: [], processes: [], interfaces: [] },
      ],
    };
    const graph = graphOfInspection(inspection);
    expect(graph.edges).toEqual([{ a: { node: "a", interface: "eth0" }, b: { node: "b", interface: "eth0" }, up: false }]);
    expect(graph.nodes.find((n) => n.name === "a")?.interfaces.map((i) => i.name)).toEqual(["eth0"]);
  });

  it("renders Mermaid and DOT with addresses inside nodes and names quoted", () => {
    const graph = graphOfTopology(router);
    expect(toMermaid(graph)).toBe(
      [
        "graph LR",
        '  n_h1["h1<br/>eth0 10.0.1.1/24"]',
        '  n_h2["h2<br/>eth0 10.0.2.1/24"]',
        '  n_r1["r1<br/>eth1 10.0.1.254/24<br/>eth2 10.0.2.254/24"]',
        '  n_h1 ---|"eth0 – eth1"| n_r1',
        '  n_h2 ---|"eth0 – eth2"| n_r1',
        "",
      ].join("\n"),
    );
    const dot = toDot({ ...graph, edges: [{ ...(graph.edges[0] as (typeof graph.edges)[0]), up: false }] });
    expect(dot).toContain('graph "router" {');
    expect(dot).toContain('  "r1" [label="r1\\neth1 10.0.1.254/24\\neth2 10.0.2.254/24"];');
    expect(dot).toContain('  "h1" -- "r1" [taillabel="eth0", headlabel="eth1", style=dashed];');
    expect(toDot({ topology: 'a"b', nodes: [], edges: [] })).toBe('graph "a\\"b" {\n  node [shape=box];\n}\n');
  });
});
