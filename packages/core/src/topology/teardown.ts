/**
 * Removing some of a lab's namespaces so that nothing of them is left for
 * anyone to meet when it returns: their processes ended, the links whose far
 * ends outlive them deleted, then the namespaces themselves.
 */
import * as la from "../actions/link-actions.js";
import * as na from "../actions/ns-actions.js";
import { NeslinkError } from "../errors.js";
import * as lp from "../links/providers.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { endProcesses, namespaceInode } from "./processes.js";

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

async function emptyNamespace(pool: Pool, netns: string): Promise<void> {
  try {
    await nsDoOn(pool, ns.name(netns), na.deleteGroup(LAB_GROUP));
  } catch (err) {
    if (!isGone(err)) throw err;
  }
  // Links the topology did not make (added by hand, or a peer end made from elsewhere) go one by one.
  const {
    results: [links],
  } = await nsDoOn(pool, ns.name(netns), na.links());
  for (const link of links) {
    if (link.name === "lo") continue;
    try {
      await nsDoOn(pool, ns.name(netns), na.link(lp.byIndex(link.index), la.remove()));
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  }
}

/**
 * Removes the named namespaces of a lab whose other nodes stay; missing ones
 * are skipped. Their processes go first: a namespace with a live process is
 * never destroyed. Their links are deleted explicitly before, so that the far
 * ends of veths in surviving namespaces go at once (the kernel destroys a
 * namespace asynchronously, and a far end would linger until it has). A
 * whole lab goes with destroy, which needs none of this.
 */
export async function removeNamespaces(pool: Pool, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  // Still mounted (held) while their processes end: an inode names each, no id needed.
  const namespaces = new Map(names.flatMap((n) => namespaceInode(`${DEFAULT_NETNS_DIR}/${n}`) ?? []).map((ino) => [ino, undefined]));
  await endProcesses({ inodes: namespaces });
  await Promise.all(names.map((n) => emptyNamespace(pool, n).catch((err) => (isGone(err) ? undefined : Promise.reject(err)))));
  await deleteNamed(pool, names);
}

/** Deletes named namespaces in one task (their unmounts run concurrently); one already gone is skipped. */
async function deleteNamed(pool: Pool, names: readonly string[]): Promise<void> {
  let rest = names;
  while (rest.length > 0) {
    try {
      await nsDoOn(pool, ns.now(), ...rest.map((n) => na.deleteNamed(n)));
      return;
    } catch (err) {
      const failed = (err as { actionIndex?: number }).actionIndex;
      if (!isGone(err) || failed === undefined || failed < 0) throw err;
      // The ones before it are deleted; it is gone already; go on after it.
      rest = rest.slice(failed + 1);
    }
  }
}
