/**
 * A lab as a graph — nodes and the veth pairs between them — built from a
 * loaded Topology (what the file asks for) or from an Inspection (what the
 * kernel holds), and drawn as Mermaid or Graphviz DOT. One model for every
 * adapter: the CLI's `graph`, the HTTP live page.
 */
import { checkTopology } from "./check.js";
import type { InspectedLink, Inspection } from "./inspect.js";
import type { Topology, TopologyEndpoint } from "./model.js";

export interface GraphNode {
  name: string;
  netns: string;
  /** planned: from a file, not looked up; running/missing: as inspect found it. */
  phase: "planned" | "running" | "missing";
  /** The node's links but lo, each with its addresses. */
  links: { name: string; addresses: string[]; up: boolean }[];
}

/** An end of an edge: a node, and its link by name (`dev`, as inspect's `peer`). */
export interface GraphEnd {
  node: string;
  dev: string;
}

export interface GraphEdge {
  a: GraphEnd;
  b: GraphEnd;
  up: boolean;
}

export interface Graph {
  topology: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A file's endpoint as an edge's end: the file's `interface` is what outputs call `dev`, as ip does. */
const endOf = (e: TopologyEndpoint): GraphEnd => ({ node: e.node, dev: e.interface });

/** The graph a topology file describes; `given` is checked as plan and apply check theirs (a typed error naming the field). */
export function graphOfTopology(given: Topology): Graph {
  const topology = checkTopology("topology", given);
  return {
    topology: topology.name,
    nodes: topology.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      phase: "planned",
      links: n.interfaces.map((i) => ({ name: i.name, addresses: i.addresses, up: i.up })),
    })),
    edges: topology.links.map((l) => ({ a: endOf(l.endpoints[0]), b: endOf(l.endpoints[1]), up: l.up })),
  };
}

/**
 * The graph the kernel holds: an edge for each veth pair inspect found, its
 * ends the `peer` each names (see veth-pairs.ts), each pair once, from the end
 * listed first.
 */
export function graphOfInspection(inspection: Inspection): Graph {
  const ifaces = new Map(inspection.nodes.flatMap((n) => n.links.map((i) => [`${n.name}\0${i.name}`, i] as const)));
  const drawn = new Set<InspectedLink>();
  const edges: GraphEdge[] = [];
  for (const n of inspection.nodes) {
    for (const iface of n.links) {
      const other = iface.peer && ifaces.get(`${iface.peer.node}\0${iface.peer.dev}`);
      if (!other || !iface.peer || drawn.has(iface)) continue;
      drawn.add(iface).add(other);
      edges.push({ a: { node: n.name, dev: iface.name }, b: { ...iface.peer }, up: iface.up && other.up });
    }
  }
  return {
    topology: inspection.topology,
    nodes: inspection.nodes.map((n) => ({
      name: n.name,
      netns: n.netns,
      phase: n.phase,
      links: n.links.filter((i) => i.name !== "lo").map((i) => ({ name: i.name, addresses: i.addresses, up: i.up })),
    })),
    edges,
  };
}

function nodeLines(node: GraphNode): string[] {
  return [node.name, ...node.links.filter((i) => i.addresses.length > 0).map((i) => `${i.name} ${i.addresses.join(" ")}`)];
}

// Mermaid ids are restricted to word characters, so a name is escaped into them: `_` doubled, any other
// non-alphanumeric written `_<hex code point>_`. After an `_` comes either `_` or a hex digit, never both, so
// two names never share an id (`x.1`, `x_1`, `x-1` are three boxes, not one). Labels go in quotes, where `"`
// must be an entity, and are drawn as HTML, where `<`, `>` and `&` would be markup (an interface `<b>x`). `#`
// is one too: Mermaid reads `#name;` as an entity, so a name holding `#quot;` would be drawn as `"`.
const mermaidEscape = (c: string) => (/[A-Za-z0-9]/.test(c) ? c : c === "_" ? "__" : `_${c.codePointAt(0)?.toString(16)}_`);
const mermaidId = (name: string) => `n_${Array.from(name, mermaidEscape).join("")}`;
const MERMAID_ENTITIES: Readonly<Record<string, string>> = { "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;" };
const mermaidText = (text: string) => text.replace(/[#"<>&]/g, (c) => MERMAID_ENTITIES[c] as string);

/** A Mermaid flowchart: one box per node (its addressed links inside), one line per veth pair, dotted when down. */
export function toMermaid(graph: Graph): string {
  const lines = ["graph LR"];
  for (const node of graph.nodes) lines.push(`  ${mermaidId(node.name)}["${nodeLines(node).map(mermaidText).join("<br/>")}"]`);
  for (const e of graph.edges) {
    const arrow = e.up ? "---" : "-.-";
    lines.push(`  ${mermaidId(e.a.node)} ${arrow}|"${mermaidText(`${e.a.dev} – ${e.b.dev}`)}"| ${mermaidId(e.b.node)}`);
  }
  for (const node of graph.nodes.filter((n) => n.phase === "missing")) lines.push(`  style ${mermaidId(node.name)} stroke-dasharray: 5 5`);
  return `${lines.join("\n")}\n`;
}

// DOT's quoted strings are not HTML (only its <...> labels are): `<b>` in one is drawn as written.
const dotString = (text: string) => `"${text.replace(/["\\]/g, "\\$&").replaceAll("\n", "\\n")}"`;

/** A Graphviz graph: nodes as boxes, each veth pair an edge labelled with its two links at their ends. */
export function toDot(graph: Graph): string {
  const lines = [`graph ${dotString(graph.topology)} {`, "  node [shape=box];"];
  for (const node of graph.nodes) {
    const style = node.phase === "missing" ? ", style=dashed" : "";
    lines.push(`  ${dotString(node.name)} [label=${dotString(nodeLines(node).join("\n"))}${style}];`);
  }
  for (const e of graph.edges) {
    const style = e.up ? "" : ", style=dashed";
    lines.push(
      `  ${dotString(e.a.node)} -- ${dotString(e.b.node)} [taillabel=${dotString(e.a.dev)}, headlabel=${dotString(e.b.dev)}${style}];`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
