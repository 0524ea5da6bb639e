/**
 * Which sysctls exist, and which values each takes, only the kernel knows
 * (they differ by kernel version, config and modules). A plan's sysctl writes
 * are therefore tried first in a fresh anonymous namespace of their own (an
 * interface's as its table's `default`, which takes the same values), in the
 * order apply writes them: a key the kernel does not have (ENOENT) or a value
 * it refuses (EINVAL, out of range) is reported with the plan, before apply
 * changes anything, rather than after it made the lab's namespaces.
 */
import { ActionError } from "../errors.js";
import { na } from "../actions/short-names.js";
import { ns } from "../namespace/ns.js";
import { nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import type { Change } from "./changes.js";
import { groupBy } from "./group-by.js";
import { loadedFrom } from "./loaded.js";
import type { Topology } from "./model.js";
import { Problems, TopologyError } from "./problems.js";
import { sysctlLikeIt } from "./sysctl-names.js";

type Write = readonly [name: string, value: string];

/** Why the kernel refused a write, in words. */
function refusal(name: string, value: string, err: ActionError): string {
  if (err.code === "ENOENT")
    return `the kernel has no such sysctl (no /proc/sys/${sysctlLikeIt(name).replaceAll(".", "/")} in a network namespace)`;
  return `the kernel refuses ${JSON.stringify(value)} for it (${err.code}, tried in a new namespace)`;
}

/** The writes the kernel refuses, each with why; one namespace a try, one more after each refusal (rare: a wrong file). */
async function refusedOf(pool: Pool, writes: readonly Write[]): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  let left = writes;
  while (left.length > 0) {
    try {
      const { created } = await nsDoOn(pool, ns.create(), ...left.map(([name, value]) => na.sysctl(sysctlLikeIt(name), value)));
      created?.close();
      break;
    } catch (err) {
      const at = err instanceof ActionError ? err.actionIndex : -1;
      const write = left[at];
      if (write === undefined) throw err;
      refused.set(write[0], refusal(write[0], write[1], err as ActionError));
      left = left.filter((_, i) => i !== at);
    }
  }
  return refused;
}

/**
 * Throws a TopologyError naming each sysctl of `changes` the kernel refuses, at its place in the file `given` was
 * loaded from. Nodes writing the same sysctls share one try.
 */
export async function assertSysctlsTaken(pool: Pool, given: unknown, topology: Topology, changes: readonly Change[]): Promise<void> {
  const byNode = groupBy(
    changes.filter((c) => c.object === "sysctl"),
    (c) => c.node,
  );
  if (byNode.size === 0) return;
  const from = loadedFrom(given);
  const problems = new Problems(from?.locate);
  const tried = new Map<string, Promise<Map<string, string>>>();
  for (const [node, list] of byNode) {
    const writes = list.map((c) => [c.name, (c as { to: string }).to] as const);
    const key = JSON.stringify(writes);
    const refused = tried.get(key) ?? refusedOf(pool, writes);
    tried.set(key, refused);
    const own = topology.nodes.find((n) => n.name === node)?.sysctls ?? {};
    // disable_ipv6 is written for ipv6: false, not named in the file.
    for (const [name, why] of await refused)
      problems.add(Object.hasOwn(own, name) ? ["nodes", node, "sysctls", name] : ["nodes", node, "ipv6"], why);
  }
  if (problems.list.length > 0) throw new TopologyError(problems.list, from?.label);
}
