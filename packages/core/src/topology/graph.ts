/**
 * A lab as a graph — nodes and the veth pairs between them — built from a
 * loaded Topology (what the file asks for) or from an Inspection (what the
 * kernel holds), and drawn as Mermaid or Graphviz DOT. One model for every
 * adapter: the CLI's `graph`, the HTTP live page.
 */
import { checkTopology } from "./check.js";
import { groupBy } from "./group-by.js";
import type { InspectedInterface, Inspection } from "./inspect.js";
import type { Topology } from "./model.js";

export interface GraphNode {
  name: string;
  netns: string;
  /** planned: from a file, not looked up; running/missing: as inspect found it. */
  state: "planned" | "running" | "missing";
  /** The node's interfaces but lo, each with its addresses. */
  interfaces: { name: string; addresses: string[]; up: boolean }[];
}

export interface GraphEdge {
  a: { node: string; interface: string };
  b: { node: string; interface: string };
  up: boolean;
}

export interface Graph {
  topology: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The graph a topology file describes; `given` is checked as plan and apply check theirs (a typed error naming the field). */
export function graphOfTopology(given: Topology): Graph {
  const topology = checkTopology("topology", given);
  return {
    topology: topology.name,
    nodes: topology.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      state: "planned",
      interfaces: n.interfaces.map((i) => ({ name: i.name, addresses: i.addresses, up: i.up })),
    })),
    edges: topology.links.map((l) => ({ a: l.endpoints[0], b: l.endpoints[1], up: l.up })),
  };
}

/** A veth end of a node, as inspect found it. */
interface End {
  node: string;
  netns: string;
  iface: InspectedInterface;
}

/**
 * The other end of each end, by where each is. Told exactly by where its peer
 * lives (peerNetns) and its index there; where that was not told, an end
 * whose index and peer's index are the other way round, on another node,
 * the first of them not paired yet (indexes are per namespace: repeated
 * pairs of indexes, as along a chain of routers, make that a guess).
 */
function farEnds(ends: readonly End[]): Map<End, End> {
  const placed = new Map(ends.map((e) => [`${e.netns}\0${e.iface.index}`, e]));
  const unplaced = groupBy(
    ends.filter((e) => e.iface.peerNetns === null),
    (e) => `${e.iface.index}:${e.iface.peerIndex}`,
  );
  const far = new Map<End, End>();
  for (const end of ends) {
    if (far.has(end)) continue;
    const { peerNetns, peerIndex, index } = end.iface;
    const other =
      peerNetns === null
        ? unplaced.get(`${peerIndex}:${index}`)?.find((o) => !far.has(o) && o.node !== end.node)
        : placed.get(`${peerNetns}\0${peerIndex}`);
    if (!other || other === end || far.has(other) || other.iface.peerIndex !== index) continue;
    if (other.iface.peerNetns !== null && other.iface.peerNetns !== end.netns) continue;
    far.set(end, other).set(other, end);
  }
  return far;
}

/**
 * The graph the kernel holds. A veth's two ends are paired by where each
 * says the other is: the namespace its peer lives in and its index there.
 * Both must agree.
 */
export function graphOfInspection(inspection: Inspection): Graph {
  const ends: End[] = inspection.nodes.flatMap((n) =>
    n.interfaces.filter((i) => i.kind === "veth" && i.peerIndex !== null).map((iface) => ({ node: n.name, netns: n.netns, iface })),
  );
  const far = farEnds(ends);
  const edges: GraphEdge[] = [];
  const drawn = new Set<End>();
  for (const end of ends) {
    const other = far.get(end);
    // Each pair once, from the end listed first.
    if (other === undefined || drawn.has(end)) continue;
    drawn.add(end).add(other);
    edges.push({
      a: { node: end.node, interface: end.iface.name },
      b: { node: other.node, interface: other.iface.name },
      up: end.iface.up && other.iface.up,
    });
  }
  return {
    topology: inspection.topology,
    nodes: inspection.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      state: n.state,
      interfaces: n.interfaces.filter((i) => i.name !== "lo").map((i) => ({ name: i.name, addresses: i.addresses, up: i.up })),
    })),
    edges,
  };
}

function nodeLines(node: GraphNode): string[] {
  return [node.name, ...node.interfaces.filter((i) => i.addresses.length > 0).map((i) => `${i.name} ${i.addresses.join(" ")}`)];
}

// Mermaid ids are restricted to word characters; labels go in quotes, where `"` must be an entity.
const mermaidId = (name: string) => `n_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
const mermaidText = (text: string) => text.replaceAll('"', "#quot;");

/** A Mermaid flowchart: one box per node (its addressed interfaces inside), one line per veth pair, dotted when down. */
export function toMermaid(graph: Graph): string {
  const lines = ["graph LR"];
  for (const node of graph.nodes) lines.push(`  ${mermaidId(node.name)}["${nodeLines(node).map(mermaidText).join("<br/>")}"]`);
  for (const e of graph.edges) {
    const arrow = e.up ? "---" : "-.-";
    lines.push(`  ${mermaidId(e.a.node)} ${arrow}|"${mermaidText(`${e.a.interface} – ${e.b.interface}`)}"| ${mermaidId(e.b.node)}`);
  }
  for (const node of graph.nodes.filter((n) => n.state === "missing")) lines.push(`  style ${mermaidId(node.name)} stroke-dasharray: 5 5`);
  return `${lines.join("\n")}\n`;
}

const dotString = (text: string) => `"${text.replace(/["\\]/g, "\\$&").replaceAll("\n", "\\n")}"`;

/** A Graphviz graph: nodes as boxes, each veth pair an edge labelled with its two interfaces at their ends. */
export function toDot(graph: Graph): string {
  const lines = [`graph ${dotString(graph.topology)} {`, "  node [shape=box];"];
  for (const node of graph.nodes) {
    const style = node.state === "missing" ? ", style=dashed" : "";
    lines.push(`  ${dotString(node.name)} [label=${dotString(nodeLines(node).join("\n"))}${style}];`);
  }
  for (const e of graph.edges) {
    const style = e.up ? "" : ", style=dashed";
    lines.push(
      `  ${dotString(e.a.node)} -- ${dotString(e.b.node)} [taillabel=${dotString(e.a.interface)}, headlabel=${dotString(e.b.interface)}${style}];`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
