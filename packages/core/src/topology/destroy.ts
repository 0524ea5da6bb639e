/**
 * topology.destroy: removes every namespace marked as one of the topology's
 * nodes — found in the kernel, so it works without the file and after a
 * crash — and nothing else; returns once nothing of them is left to meet:
 * processes ended, namespaces unmounted (their links go with them, and no
 * link of a lab has a far end outside it).
 */
import { defaultPool } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { ownedNamespaces } from "./live.js";
import { lockTopology } from "./lock.js";
import type { Topology } from "./model.js";
import { removeNamespaces } from "./teardown.js";

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
  const name = typeof topology === "string" ? topology : topology.name;
  const pool = options.pool ?? defaultPool();
  const release = lockTopology(name);
  try {
    const owned = await ownedNamespaces(pool, name);
    await removeNamespaces(
      pool,
      owned.map((o) => o.netns),
      false,
    );
    return { topology: name, removed: owned.map(({ node, netns }) => ({ node, netns })), ms: Math.round(performance.now() - started) };
  } finally {
    release();
  }
}
