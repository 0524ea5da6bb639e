import { ValidationError } from "@neslink/core/errors";
import type { Command } from "../command.js";
import { topology } from "../core.js";
import { conflictNotes, inspected, labOf } from "../lab.js";
import { toJson } from "../output.js";

const FORMATS = ["mermaid", "dot", "json"] as const;

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
    "A node whose namespace is taken by something not the lab's is said on stderr, and drawn all the same.",
    "--format json (or --json): { topology, nodes: [{ name, netns, state, interfaces }], edges: [{ a, b, up }],",
    "conflicts? [{ node, netns, reason }] }.",
  ].join("\n"),
  async run({ args: [arg], options }, { terminal }) {
    const format = (options.format ?? "mermaid") as string;
    if (!(FORMATS as readonly string[]).includes(format)) throw new ValidationError("--format", `must be one of ${FORMATS.join(", ")}`);
    const topo = await topology();
    const lab = await labOf(arg as string, terminal);
    const live = await inspected(lab);
    const running = live.nodes.some((n) => n.state === "running");
    const drawn = running || typeof lab === "string" ? topo.graphOfInspection(live) : topo.graphOfTopology(lab);
    // A node whose namespace something else has is drawn as the file says (or missing, where the lab runs), and said.
    const data = live.conflicts ? { ...drawn, conflicts: live.conflicts } : drawn;
    const text = format === "dot" ? topo.toDot(drawn) : format === "json" ? toJson(data) : topo.toMermaid(drawn);
    return { data, text, stderr: conflictNotes([live]) };
  },
};
