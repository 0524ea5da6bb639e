/**
 * Removing some of a lab's namespaces so that nothing of them is left for
 * anyone to meet when it returns: their processes ended, the links whose far
 * ends outlive them deleted, then the namespaces themselves.
 */
import type { DeletedNs } from "../actions/ns-actions.js";
import * as na from "../actions/ns-actions.js";
import { NeslinkError } from "../errors.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { markerPrefix, parseMarker } from "./marker.js";
import { endProcesses, namespaceInode } from "./processes.js";
import { shareOut } from "./shares.js";

/**
 * IFLA_GROUP of every link a topology creates that lives and dies with its
 * namespaces: inside them they are all the topology's, so one RTM_DELLINK per
 * namespace removes them (one by one costs ~16 ms each in the kernel), and
 * destroy leaves them to go with their namespaces. A link in another group
 * (HOST_BOUND_GROUP, or none: made by hand) may reach outside its namespace,
 * and destroy deletes it first.
 */
export const LAB_GROUP = 0x4e4c;

/** IFLA_GROUP of a topology's vxlans and macvlans: made from the host into their node, their socket or parent link stays in the host. */
export const HOST_BOUND_GROUP = 0x4e4d;

/** Whether an error is the kernel saying the thing to delete is not there (any more). */
export function isGone(err: unknown): boolean {
  for (let e = err; NeslinkError.isInstance(e); e = e.cause) {
    if (["ENODEV", "ESRCH", "ENOENT", "EADDRNOTAVAIL", "ERR_LINK_NOT_FOUND", "ERR_NS_NOT_FOUND"].includes(e.code)) return true;
  }
  return false;
}

/**
 * A link of a lab's node that the kernel refused to delete (EOPNOTSUPP: a device with no rtnetlink delete, such as a
 * physical NIC or VF moved into the node by hand): by the node, its namespace, and its name there as `dev` (a link
 * named from elsewhere, as a route's or an inspected peer's).
 */
export interface LinkLeft {
  node: string;
  netns: string;
  dev: string;
}

/** The links a guarded deletion of `node`'s namespace left to go with it (DeletedNs.linksLeft), as a lab reports them. */
export function leftWith(deleted: DeletedNs, node: string): LinkLeft[] {
  return (deleted.linksLeft ?? []).map((dev) => ({ node, netns: deleted.name, dev }));
}

/**
 * Removes the named namespaces of lab `topology` whose other nodes stay;
 * missing ones, and one no longer marked as the lab's, are skipped. Their
 * processes go first: a namespace with a live process is never destroyed.
 * Their links are deleted before their unmount, each namespace's in the
 * task that checks its mark and unmounts it (as destroy's, but all of them):
 * the far ends of veths in surviving namespaces go at once (the kernel
 * destroys a namespace asynchronously, and a far end would linger until it
 * has). Returns the links the kernel refused to delete, which went with
 * their namespace. A whole lab goes with destroy, which deletes fewer.
 */
export async function removeNamespaces(pool: Pool, topology: string, names: readonly string[]): Promise<LinkLeft[]> {
  if (names.length === 0) return [];
  // Still mounted (held) while their processes end: an inode names each, no id needed.
  const namespaces = new Map(names.flatMap((n) => namespaceInode(`${DEFAULT_NETNS_DIR}/${n}`) ?? []).map((ino) => [ino, undefined]));
  await endProcesses({ inodes: namespaces });
  const guard = { loAliasPrefix: markerPrefix(topology), emptyFirst: true };
  // A task per worker, as destroy's: each check reads its namespace's links, and deletes them.
  const shares = shareOut(names, () => 1, pool.size);
  // Every share ended before a failure is told: none still runs once apply lets go of the lab's lock.
  const settled = await Promise.allSettled(
    shares.map((share) => nsDoOn(pool, ns.now(), ...share.map((name) => na.deleteNamed(name, DEFAULT_NETNS_DIR, guard)))),
  );
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  const done = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  return done.flatMap(({ results }) =>
    results.flatMap((deleted) => (deleted === null ? [] : leftWith(deleted, parseMarker(deleted.loAlias ?? null)?.node ?? ""))),
  );
}
