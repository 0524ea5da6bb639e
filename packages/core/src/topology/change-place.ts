/**
 * Where in the file a change comes from, for an apply the kernel refused
 * anyway (what plan cannot foresee: the host's own state, a sysctl's effect):
 * its failure names the change and the line that asked for it, as a
 * TopologyError names a mistake, so the file can be fixed there.
 */
import type { Change } from "./changes.js";
import { routeToMake } from "./compare.js";
import type { LoadedFrom } from "./loaded.js";
import type { Topology, TopologyNode } from "./model.js";
import type { Path } from "./problems.js";

/**
 * The index of the `exec` entry of `node` that `c` runs. The file may give one command twice; the record takes the
 * first of equal entries as those that ran (exec-plan.ts), so the plan runs the last ones, in order: `c`'s place among
 * `planned`'s runs of its command tells which. Undefined where only the plan could tell and `c` is not in it.
 */
function execIndex(node: TopologyNode, c: Change & { object: "exec" }, planned: readonly Change[]): number | undefined {
  const command = JSON.stringify(c.argv);
  const entries = node.exec.flatMap((e, i) => (JSON.stringify(e.argv) === command ? [i] : []));
  if (entries.length <= 1) return entries[0];
  const runs = planned.filter((p) => p.object === "exec" && p.op === "create" && p.node === c.node && JSON.stringify(p.argv) === command);
  const nth = runs.indexOf(c);
  return nth < 0 ? undefined : entries[entries.length - runs.length + nth];
}

/** The path of the file's value that asked for `c`, when the change is one the file's own entry makes. */
function pathOf(topology: Topology, c: Change, planned: readonly Change[]): Path | undefined {
  const node = topology.nodes.find((n) => n.name === c.node);
  if (node === undefined || c.op === "delete") return undefined;
  const at: Path = ["nodes", node.name];
  if (c.object === "exec") {
    const i = c.op === "create" ? execIndex(node, c, planned) : undefined;
    return i === undefined ? undefined : [...at, "exec", i];
  }
  if (c.object === "route") {
    const wanted = JSON.stringify(c.route);
    const i = node.routes.findIndex((r) => JSON.stringify(routeToMake(r)) === wanted);
    return i < 0 ? undefined : [...at, "routes", i];
  }
  if (c.object === "sysctl") return Object.hasOwn(node.sysctls, c.name) ? [...at, "sysctls", c.name] : [...at, "ipv6"];
  if (c.object === "address") return [...at, "addresses", c.dev];
  if (c.object !== "link") return undefined;
  const iface = node.interfaces.find((i) => i.name === c.name);
  if (iface?.kind === "vxlan" || iface?.kind === "macvlan") return [...at, "interfaces", iface.name];
  if (iface?.kind === "bridge") return [...at, "bridges"];
  if (iface?.kind !== "veth") return undefined;
  const link = topology.links.findIndex((l) => l.endpoints.some((e) => e.node === node.name && e.interface === iface.name));
  return link < 0 ? undefined : ["links", link];
}

/**
 * `FILE:LINE:COLUMN` of the value that asked for `c`, when the topology was loaded from text and it has one;
 * `planned`, the plan `c` is a change of (which of two equal `exec` entries it runs, only it tells).
 */
export function placeOf(topology: Topology, from: LoadedFrom | undefined, c: Change, planned: readonly Change[] = []): string | undefined {
  const path = from === undefined ? undefined : pathOf(topology, c, planned);
  const place = path === undefined ? undefined : from?.locate(path);
  return place === undefined ? undefined : `${from?.label ?? "topology"}:${place.line}:${place.column}`;
}
