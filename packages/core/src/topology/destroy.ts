/**
 * topology.destroy: removes every namespace marked as one of the topology's
 * nodes — found in the kernel, so it works without the file and after a
 * crash — and nothing else; returns once nothing of them is left to meet:
 * processes ended (its programs found by their cgroup, even those whose
 * namespace was deleted by hand), namespaces unmounted (their links go with
 * them, and no link of a lab has a far end outside it), its programs' logs
 * removed.
 */
import { rmSync } from "node:fs";
import * as la from "../actions/link-actions.js";
import * as na from "../actions/ns-actions.js";
import * as lp from "../links/providers.js";
import { removeStale } from "../namespace/entry.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool, nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { labGroup } from "./cgroup.js";
import { ownedNamespaces, strayHostLinks } from "./live.js";
import { LOCK_DIR, lockTopology } from "./lock.js";
import type { Topology } from "./model.js";
import { endProcesses } from "./processes.js";
import { labName } from "./shape.js";
import { isGone, removeNamespaces } from "./teardown.js";

export interface DestroyOptions {
  pool?: Pool;
}

export interface DestroyResult {
  topology: string;
  /** The namespaces removed, with the node each was. */
  removed: { node: string; netns: string }[];
  ms: number;
}

/** Destroys a topology given as a loaded Topology or by its name. */
export async function destroy(topology: Topology | string, options: DestroyOptions = {}): Promise<DestroyResult> {
  const started = performance.now();
  const name = typeof topology === "string" ? labName("topology", topology) : topology.name;
  const pool = options.pool ?? defaultPool();
  const release = lockTopology(name);
  try {
    const [owned, strays] = await Promise.all([ownedNamespaces(pool, name), strayHostLinks(pool, name)]);
    // A destroy killed between an unmount and its unlink leaves the empty file: given the file, its nodes' names are known.
    if (typeof topology !== "string") for (const node of topology.nodes) removeStale(`${DEFAULT_NETNS_DIR}/${node.netns}`);
    // What an apply killed between making a vxlan or macvlan in the host and moving it into its node left there.
    for (const link of strays)
      await nsDoOn(pool, ns.now(), na.link(lp.byIndex(link.index), la.remove())).catch((err) =>
        isGone(err) ? undefined : Promise.reject(err),
      );
    const programs = labGroup(name);
    if (programs !== null) await endProcesses(new Set(), [programs]);
    await removeNamespaces(
      pool,
      owned.map((o) => o.netns),
      false,
    );
    rmSync(`${LOCK_DIR}/${name}`, { recursive: true, force: true });
    return { topology: name, removed: owned.map(({ node, netns }) => ({ node, netns })), ms: Math.round(performance.now() - started) };
  } finally {
    release();
  }
}
