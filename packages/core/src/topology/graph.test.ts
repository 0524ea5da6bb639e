import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Graph, type GraphNode, graphOfInspection, graphOfTopology, toDot, toMermaid } from "./graph.js";
import type { InspectedLink, Inspection } from "./inspect.js";
import { load } from "./load.js";
import { namePeers } from "./veth-pairs.js";

const router = load(fileURLToPath(new URL("../../examples/topologies/router.yaml", import.meta.url)));

const iface = (
  index: number,
  name: string,
  parentIndex: number | null,
  up = true,
  addresses: string[] = [],
  peerNetns: string | null = null,
): InspectedLink => ({
  index,
  name,
  kind: parentIndex === null ? null : "veth",
  up,
  operstate: up ? "UP" : "DOWN",
  mtu: 1500,
  mac: null,
  masterIndex: null,
  master: null,
  parentIndex,
  peerNetns,
  peer: null,
  addresses,
});

/** The graph of an inspection whose veths are paired as inspect pairs them. */
const live = (inspection: Inspection) => graphOfInspection({ ...inspection, nodes: namePeers(inspection.nodes) });

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
    expect(graph.nodes.map((n) => [n.name, n.phase])).toEqual([
      ["h1", "planned"],
      ["h2", "planned"],
      ["r1", "planned"],
    ]);
    expect(graph.edges).toEqual([
      { a: { node: "h1", dev: "eth0" }, b: { node: "r1", dev: "eth1" }, up: true },
      { a: { node: "h2", dev: "eth0" }, b: { node: "r1", dev: "eth2" }, up: true },
    ]);
  });

  it("pairs live veth ends only when each names the other's index, across nodes", () => {
    const inspection: Inspection = {
      topology: "t",
      nodes: [
        { name: "a", netns: "t-a", phase: "running", routes: [], processes: [], links: [iface(1, "lo", null), iface(2, "eth0", 7)] },
        // index 7 here names index 2 back: a pair. c's eth0 also has index 7 but names 3, not 2: not a's peer.
        { name: "b", netns: "t-b", phase: "running", routes: [], processes: [], links: [iface(7, "eth0", 2, false)] },
        { name: "c", netns: "t-c", phase: "running", routes: [], processes: [], links: [iface(7, "eth0", 3)] },
        { name: "d", netns: "t-d", phase: "missing", routes: [], processes: [], links: [] },
      ],
    };
    const graph = live(inspection);
    expect(graph.edges).toEqual([{ a: { node: "a", dev: "eth0" }, b: { node: "b", dev: "eth0" }, up: false }]);
    expect(graph.nodes.find((n) => n.name === "a")?.links.map((i) => i.name)).toEqual(["eth0"]);
  });

  it("pairs ends by the namespace each says its peer lives in, where pairs of indexes repeat (a chain)", () => {
    // r1 -- r2 -- r3 -- r4: each link joins index 3 (right) to index 2 (left), as apply makes a chain's.
    const router = (i: number, left: boolean, right: boolean) => ({
      name: `r${i}`,
      netns: `t-r${i}`,
      phase: "running" as const,
      routes: [],
      processes: [],
      links: [
        ...(left ? [iface(2, "left", 3, true, [], `t-r${i - 1}`)] : []),
        ...(right ? [iface(3, "right", 2, true, [], `t-r${i + 1}`)] : []),
      ],
    });
    // In the order names sort in (r1, r10, r2, ...): the first end whose indexes fit r1's right is r3's left.
    const nodes = [router(1, false, true), router(3, true, true), router(2, true, true), router(4, true, false)];
    const graph = live({ topology: "t", nodes });
    const pairs = graph.edges.map((e) => [`${e.a.node}:${e.a.dev}`, `${e.b.node}:${e.b.dev}`].sort().join(" "));
    expect(pairs.sort()).toEqual(["r1:right r2:left", "r2:right r3:left", "r3:right r4:left"]);
  });

  it("pairs N veth pairs reading each end's indexes a bounded number of times, not once per other end", () => {
    // A 2000-host star, its hub listed last (as a name sorting after the hosts'): before, each host's end looked
    // through the ends listed before it (2 million reads; a second at 2000 nodes).
    let reads = 0;
    const counted = (i: InspectedLink): InspectedLink => {
      const { index } = i;
      return Object.defineProperty({ ...i }, "index", {
        get: () => {
          reads++;
          return index;
        },
        enumerable: true,
      });
    };
    const hosts = 2000;
    const hub = Array.from({ length: hosts }, (_, i) => counted(iface(i + 2, `v${i}`, 2, true, [], `t-n${i}`)));
    const inspection: Inspection = {
      topology: "t",
      nodes: [
        ...Array.from({ length: hosts }, (_, i) => ({
          name: `n${i}`,
          netns: `t-n${i}`,
          phase: "running" as const,
          routes: [],
          processes: [],
          links: [counted(iface(2, "eth0", i + 2, true, [], "t-hub"))],
        })),
        { name: "hub", netns: "t-hub", phase: "running", routes: [], processes: [], links: hub },
      ],
    };
    expect(live(inspection).edges).toHaveLength(hosts);
    expect(reads).toBeLessThan(10 * 2 * hosts);
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

  it("writes <, >, & and # in names as Mermaid's entity codes: its labels are HTML, and `<b>` would be markup", () => {
    const graph: Graph = {
      topology: "t",
      nodes: [
        { name: "a&b", netns: "t-a", phase: "planned", links: [{ name: "<i>e", addresses: ["10.0.0.1/24"], up: true }] },
        { name: "b", netns: "t-b", phase: "planned", links: [] },
      ],
      edges: [{ a: { node: "a&b", dev: "<i>e" }, b: { node: "b", dev: '<b>x<\\b>"#quot;' }, up: true }],
    };
    const lines = toMermaid(graph).split("\n");
    expect(lines[1]).toBe('  n_a_26_b["a#amp;b<br/>#lt;i#gt;e 10.0.0.1/24"]');
    // `#` too, or a name holding `#quot;` would be drawn as `"`.
    expect(lines[3]).toBe('  n_a_26_b ---|"#lt;i#gt;e – #lt;b#gt;x#lt;\\b#gt;#quot;#35;quot;"| n_b');
    // DOT's quoted strings are not HTML (only <...> labels are): they stay as they are, `"` and `\\` escaped.
    expect(toDot(graph)).toContain('  "a&b" -- "b" [taillabel="<i>e", headlabel="<b>x<\\\\b>\\"#quot;"];');
  });

  it("gives nodes whose names differ only by `.`, `_` or `-` Mermaid ids of their own", () => {
    const node = (name: string): GraphNode => ({ name, netns: `t-${name}`, phase: "planned", links: [] });
    const graph: Graph = {
      topology: "t",
      nodes: ["x.1", "x_1", "x-1", "y"].map(node),
      edges: [
        { a: { node: "x.1", dev: "eth0" }, b: { node: "y", dev: "a" }, up: true },
        { a: { node: "x_1", dev: "eth0" }, b: { node: "x-1", dev: "eth0" }, up: true },
      ],
    };
    const ids = (line: string) => [...line.matchAll(/\bn_\w+/g)].map((m) => m[0]);
    const lines = toMermaid(graph).split("\n");
    const boxes = lines.filter((l) => l.includes("["));
    const [xDot, xUnder, xDash, y] = boxes.map((l) => ids(l)[0]);
    expect(new Set([xDot, xUnder, xDash, y]).size).toBe(4);
    // Each box keeps its name as written, and each edge joins the boxes it names: no self-loop.
    expect(boxes.map((l) => l.match(/\["([^"<]*)/)?.[1])).toEqual(["x.1", "x_1", "x-1", "y"]);
    const edges = lines.filter((l) => l.includes("---")).map(ids);
    expect(edges).toEqual([
      [xDot, y],
      [xUnder, xDash],
    ]);
  });

  it("never gives two names the same Mermaid id, however they are built to collide", () => {
    const parts = ["", "_", "__", "-", ".", "_2d_", "_5f", "2d", "x", "é", "_x", "x_"];
    const names = [...new Set(parts.flatMap((a) => parts.flatMap((b) => [`${a}${b}`, `${a}_${b}`, `${a}-${b}`])))].filter(Boolean);
    const graph: Graph = { topology: "t", nodes: names.map((name) => ({ name, netns: name, phase: "planned", links: [] })), edges: [] };
    const ids = toMermaid(graph)
      .split("\n")
      .slice(1, -1)
      .map((l) => l.trim().split("[")[0]);
    expect(ids).toHaveLength(names.length);
    for (const id of ids) expect(id).toMatch(/^n_\w+$/);
    expect(new Set(ids).size).toBe(names.length);
  });
});
