/**
 * Named namespaces made and removed by a worker thread: the claim, the mount
 * and the checks are namespace/claim.ts's and namespace/remove.ts's (shared
 * with the calling thread's way, named-here.ts); here the thread unshares
 * itself to make the namespace, and deletions are batched.
 */
import { closeSync } from "node:fs";
import type { NamedNs, NsActionSpec } from "../actions/ns-actions.js";
import * as libc from "../ffi/libc.js";
import { createNamedWith } from "../namespace/claim.js";
import { check, type Doomed, deleteNamed, remove, UNMOUNT_FLAGS } from "../namespace/remove.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { RunFailure } from "./failures.js";
import { comeBack, openCurrent, SELF_NS } from "./switch.js";

/**
 * Creates `${dir}/${name}` holding a brand-new namespace and leaves this
 * thread inside it (the task returns the thread home). On any failure nothing
 * is left behind.
 */
export function enterNewNamed(name: string, dir: string, loAlias?: string): NamedNs {
  return createNamedWith(name, dir, () => {
    libc.unshare(libc.CLONE_NEWNET);
    if (loAlias !== undefined) markLoopback(loAlias);
    return SELF_NS;
  });
}

/** Brings up the loopback of the thread's (new, still anonymous) namespace with `alias`, through a socket opened and closed here. */
function markLoopback(alias: string): void {
  const socket = new NetlinkSocket();
  try {
    socket.transact([{ request: { type: "setLink", byName: "lo", alias, up: true }, label: "RTM_NEWLINK (lo)" }]);
  } finally {
    socket.close();
  }
}

/** Creates a named namespace without moving this thread. On any failure nothing is left behind. */
export async function createNamed(name: string, dir: string): Promise<NamedNs> {
  const origin = openCurrent();
  try {
    const made = await comeBack(origin, () => enterNewNamed(name, dir));
    if (!made.returned) {
      if (made.value) deleteNamed(name, dir);
      throw made.returnError;
    }
    if (made.error !== undefined) throw made.error;
    return made.value as NamedNs;
  } finally {
    closeSync(origin);
  }
}

/** The consecutive deleteNamed actions starting at `start`. */
export function deletionRun(actions: readonly NsActionSpec[], start: number): { name: string; dir: string }[] {
  const run: { name: string; dir: string }[] = [];
  for (let i = start; i < actions.length; i++) {
    const action = actions[i] as NsActionSpec;
    if (action.kind !== "deleteNamed") break;
    run.push({ name: action.name, dir: action.dir });
  }
  return run;
}

/**
 * Removes named namespaces as consecutive deleteNamed actions would, with
 * their unmounts concurrent. A name that does not exist, or is not a
 * namespace, stops the run there: the ones before it are deleted, it fails,
 * the later ones are untouched.
 * Returns what was deleted, and the failure if any.
 */
export async function deleteNamedRun(
  specs: readonly { name: string; dir: string }[],
): Promise<{ deleted: { ns: NamedNs; key: string }[]; failure?: RunFailure }> {
  const found: Doomed[] = [];
  let failure: RunFailure | undefined;
  for (const [i, { name, dir }] of specs.entries()) {
    try {
      found.push(check(name, dir));
    } catch (err) {
      failure = new RunFailure(i, err);
      break;
    }
  }
  const unmounted: boolean[] = [];
  for (let start = 0; start < found.length; start += libc.CONCURRENT_CALLS) {
    const wave = found.slice(start, start + libc.CONCURRENT_CALLS);
    unmounted.push(...(await Promise.all(wave.map(({ ns, mounted }) => mounted && libc.umount2Concurrent(ns.path, UNMOUNT_FLAGS)))));
  }
  const deleted: { ns: NamedNs; key: string }[] = [];
  for (const [i, doomed] of found.entries()) {
    try {
      // A failed concurrent unmount is retried here, which also gives its reason.
      remove(doomed, unmounted[i]);
    } catch (err) {
      return { deleted, failure: new RunFailure(i, err) };
    }
    deleted.push({ ns: doomed.ns, key: doomed.key });
  }
  return { deleted, failure };
}
