import type { Command } from "../command.js";
import { BOTH_FILE_AND_NAME } from "./file-or-name.js";
import { lazyRun } from "./lazy.js";

export const graph: Command = {
  name: "graph",
  summary: "draw a lab as Mermaid, Graphviz DOT or JSON, from the kernel where it runs",
  synopsis: "graph FILE|NAME [--format mermaid|dot|json]",
  args: ["FILE|NAME"],
  options: ["format"],
  parallel: true,
  details: [
    "Where the lab runs, the graph is read from the kernel (veth pairs found by their peers, links down",
    "dashed); a FILE whose lab is not running is drawn as the file says. Default format: mermaid.",
    BOTH_FILE_AND_NAME,
    "A node whose namespace is taken by something not the lab's is said on stderr, and drawn all the same.",
    "--format json (or --json): { topology, nodes: [{ name, netns, phase, links }], edges: [{ a, b, up }] (a, b: { node, dev }),",
    "conflicts? [{ node, netns, reason }] }.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/graph.js"),
    (m) => m.graph,
  ),
};
