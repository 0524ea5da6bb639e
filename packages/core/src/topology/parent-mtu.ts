/**
 * A macvlan cannot be larger than its parent: the kernel refuses an MTU above
 * the parent's (EINVAL, with no word of why), on creation and on change. The
 * parent is a link of the host namespace, outside the file, so only its live
 * MTU says: plan and apply read it with the host's links (the read that finds
 * the parent at all) and refuse the file's `mtu` at its line, before anything
 * changes. Read again by apply, under the lab's lock: a parent whose MTU
 * changed after the plan is judged as it is then. A macvlan whose MTU the
 * file does not give takes its parent's, and is never refused.
 */
import { type Change, createsLink } from "./changes.js";
import { loadedFrom } from "./loaded.js";
import type { Topology } from "./model.js";
import { Problems, TopologyError } from "./problems.js";

/** Whether `c` makes the link or sets its MTU. */
const setsMtu = (c: Change) => createsLink(c, "macvlan") || (c.object === "link" && c.op === "update" && c.set.mtu !== undefined);

/** Throws a TopologyError for each macvlan `changes` make or change larger than its parent (`mtus`: the host's links'). */
export function assertParentMtus(given: unknown, topology: Topology, changes: readonly Change[], mtus: ReadonlyMap<string, number>): void {
  const from = loadedFrom(given);
  const problems = new Problems(from?.locate);
  for (const c of changes) {
    if (c.object !== "link" || !setsMtu(c)) continue;
    const iface = topology.nodes.find((n) => n.name === c.node)?.interfaces.find((i) => i.name === c.name);
    const parent = iface?.macvlan?.parent;
    const most = parent === undefined ? undefined : mtus.get(parent);
    if (iface?.mtu === undefined || most === undefined || iface.mtu <= most) continue;
    problems.add(
      ["nodes", c.node, "interfaces", c.name, "mtu"],
      `${iface.mtu} is more than the MTU of its parent, host link "${parent}" (${most}): the kernel refuses a macvlan larger than its parent (EINVAL); give at most ${most}, or raise the parent's first`,
    );
  }
  if (problems.list.length > 0) throw new TopologyError(problems.list, from?.label);
}
