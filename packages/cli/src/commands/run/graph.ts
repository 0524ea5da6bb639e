import { ValidationError } from "@neslink/core/errors";
import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { conflictNotes, inspected, labOf } from "../../lab.js";
import { toJson } from "../../output.js";

const FORMATS = ["mermaid", "dot", "json"] as const;

export const graph: Run = async ({ args: [arg], options }, { terminal, json }) => {
  const format = (options.format ?? "mermaid") as string;
  if (!(FORMATS as readonly string[]).includes(format)) throw new ValidationError("--format", `must be one of ${FORMATS.join(", ")}`);
  // --json prints the graph's JSON whatever --format says: a format it would not print is a contradiction, said.
  if (json && options.format !== undefined && format !== "json")
    throw new ValidationError("--format", `${format} cannot be printed with --json, which prints the graph as JSON: give one of them`);
  const topo = await topology();
  const lab = await labOf(arg as string, terminal);
  const live = await inspected(lab);
  const running = live.nodes.some((n) => n.phase === "running");
  const drawn = running || typeof lab === "string" ? topo.graphOfInspection(live) : topo.graphOfTopology(lab);
  // A node whose namespace something else has is drawn as the file says (or missing, where the lab runs), and said.
  const data = live.conflicts ? { ...drawn, conflicts: live.conflicts } : drawn;
  const text = format === "dot" ? topo.toDot(drawn) : format === "json" ? toJson(data) : topo.toMermaid(drawn);
  return { data, text, stderr: conflictNotes([live]) };
};
