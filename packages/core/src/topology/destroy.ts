/**
 * topology.destroy: removes every namespace marked as one of the topology's
 * nodes — found in the kernel, so it works without the file and after a
 * crash — and nothing else; returns once nothing of them is left to meet:
 * namespaces unmounted (no link of theirs left that reaches outside them;
 * their own links go with them), processes ended (its programs found by their
 * cgroup, even those whose namespace was deleted by hand), its programs' logs
 * removed.
 */
import { rmSync } from "node:fs";
import * as la from "../actions/link-actions.js";
import * as na from "../actions/ns-actions.js";
import type { DeletedNs } from "../actions/ns-actions.js";
import * as lp from "../links/providers.js";
import { removeStale } from "../namespace/entry.js";
import { entryNames } from "../namespace/list.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool, nsDoOn, runOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { labGroup } from "./cgroup.js";
import { strayHeadsHere } from "./live.js";
import { markerPrefix, parseMarker } from "./marker.js";
import { LOCK_DIR, lockTopology } from "./lock.js";
import type { Topology } from "./model.js";
import { endProcesses } from "./processes.js";
import { labName } from "./shape.js";
import { isNamespaceName } from "../validate/validate.js";
import { isGone, LAB_GROUP } from "./teardown.js";

export interface DestroyOptions {
  pool?: Pool;
}

export interface DestroyResult {
  topology: string;
  /** The namespaces removed, with the node each was. */
  removed: { node: string; netns: string }[];
  ms: number;
}

/**
 * Deletes every named namespace marked as a node of `topology`, in one task
 * per worker, each with its share of the entries (the reads are most of the
 * work, and each worker is a thread of its own): each entry's marker is read
 * and, if it is the lab's, its links that reach outside it (see LAB_GROUP)
 * are deleted and its unmount started, in one step, so nothing can take its
 * name in between and the checks overlap the unmounts. Everything else in
 * the mount dir is left as it is.
 */
async function deleteOwned(pool: Pool, topology: string, names: readonly string[]): Promise<DeletedNs[]> {
  if (names.length === 0) return [];
  // Checked once, then given each name (each a namespace name already): hundreds of identical checks were on the way to the first unmount.
  const template = na.deleteNamed(names[0] as string, DEFAULT_NETNS_DIR, { loAliasPrefix: markerPrefix(topology), keepGroup: LAB_GROUP });
  const shares = Array.from({ length: Math.min(pool.size, names.length) }, (_, k) => names.filter((_, i) => i % pool.size === k));
  const done = await Promise.all(
    shares.map((share) =>
      runOn(
        pool,
        ns.now(),
        share.map((name) => ({ ...template, name })),
        { anyWorker: true },
      ),
    ),
  );
  return done.flatMap(({ results }) => results.filter((r): r is DeletedNs => r !== null));
}

/** Destroys a topology given as a loaded Topology or by its name. */
export async function destroy(topology: Topology | string, options: DestroyOptions = {}): Promise<DestroyResult> {
  const started = performance.now();
  const name = typeof topology === "string" ? labName("topology", topology) : topology.name;
  const pool = options.pool ?? defaultPool();
  const lock = lockTopology(name);
  let gone = false;
  try {
    // A name neslink does not take is no node of a lab (made by hand, as `ip netns add "a b"` can): left alone.
    const listed = entryNames(DEFAULT_NETNS_DIR).filter(isNamespaceName);
    // The strays are read on this thread while the workers delete (it waits for them anyway), in the caller's own namespace: the
    // host's. After a microtask: the workers' tasks are posted in one, which goes first.
    const [deleted, strays] = await Promise.all([deleteOwned(pool, name, listed), Promise.resolve().then(() => strayHeadsHere(name))]);
    // Unmounted, a namespace lives on while a process is inside: its programs end now.
    const programs = labGroup(name);
    await endProcesses(new Set(deleted.flatMap((d) => d.ino ?? [])), programs === null ? [] : [programs]);
    // A destroy killed between an unmount and its unlink leaves the empty file: given the file, its nodes' names are known.
    // Such a file was there before this destroy began (the lock keeps out any other of the lab's), and was not removed by it.
    if (typeof topology !== "string") {
      const left = new Set(listed);
      for (const d of deleted) left.delete(d.name);
      for (const node of topology.nodes) if (left.has(node.netns)) removeStale(`${DEFAULT_NETNS_DIR}/${node.netns}`);
    }
    // What an apply killed between making a vxlan or macvlan in the host and moving it into its node left there.
    for (const link of strays)
      await nsDoOn(pool, ns.now(), na.link(lp.byIndex(link.index), la.remove())).catch((err) =>
        isGone(err) ? undefined : Promise.reject(err),
      );
    rmSync(`${LOCK_DIR}/${name}`, { recursive: true, force: true });
    const removed = deleted.map((d) => ({ node: parseMarker(d.loAlias ?? null)?.node ?? "", netns: d.name }));
    gone = true;
    return { topology: name, removed, ms: Math.round(performance.now() - started) };
  } finally {
    // Nothing of the lab is left, its lock file included; a destroy that failed keeps it, as the lab.
    if (gone) lock.remove();
    else lock.release();
  }
}
