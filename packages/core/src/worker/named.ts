/**
 * Named namespaces made and removed the way iproute2 does, so `ip netns list`
 * shows them and `ip -n NAME` uses them: a file in a shared mount dir with the
 * namespace bind-mounted on it.
 */
import { closeSync, constants, mkdirSync, openSync, unlinkSync } from "node:fs";
import type { NamedNs, NsActionSpec } from "../actions/ns-actions.js";
import { AlreadyExistsError, NotFoundError, SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { RunFailure } from "./run-failure.js";
import { comeBack, keyOfPath, openCurrent, SELF_NS } from "./switch.js";

const EINVAL = 22;

/** Dirs this thread has made shared mount points; the mount table does not change under us between tasks. */
const prepared = new Set<string>();

/** The mount dir must be a shared mount point, so mounts made in it reach every mount namespace. */
function prepareDir(dir: string): void {
  if (prepared.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  } catch (err) {
    if (!(err instanceof SystemCallError && err.errno === EINVAL)) throw err;
    // Not a mount point yet: make it one, then shared.
    libc.mount(dir, dir, "none", libc.MS_BIND | libc.MS_REC);
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  }
  prepared.add(dir);
}

/** Undoes a named namespace's bind mount and file; each step may not have happened yet. */
function removeMountPoint(path: string): void {
  try {
    libc.umount2(path, libc.MNT_DETACH);
  } catch {
    // Not mounted: the failure came before the bind mount.
  }
  unlinkSync(path);
}

/**
 * Creates `${dir}/${name}` holding a brand-new namespace and leaves this
 * thread inside it (the task returns the thread home). On any failure nothing
 * is left behind.
 */
export function enterNewNamed(name: string, dir: string): NamedNs {
  prepareDir(dir);
  const path = `${dir}/${name}`;
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0o444));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new AlreadyExistsError("namespace", `a namespace named "${name}" already exists in ${dir}`);
    throw err;
  }
  try {
    libc.unshare(libc.CLONE_NEWNET);
    libc.mount(SELF_NS, path, "none", libc.MS_BIND);
  } catch (err) {
    removeMountPoint(path);
    throw err;
  }
  return { name, path };
}

/** Creates a named namespace without moving this thread. On any failure nothing is left behind. */
export async function createNamed(name: string, dir: string): Promise<NamedNs> {
  const origin = openCurrent();
  try {
    const made = await comeBack(origin, () => enterNewNamed(name, dir));
    if (!made.returned) {
      if (made.value) removeMountPoint(made.value.path);
      throw made.returnError;
    }
    if (made.error !== undefined) throw made.error;
    return made.value as NamedNs;
  } finally {
    closeSync(origin);
  }
}

/** "dev:ino" of the named namespace, which must exist. */
function namedKey(name: string, dir: string): string {
  try {
    return keyOfPath(`${dir}/${name}`);
  } catch {
    throw new NotFoundError("namespace", `no namespace named "${name}" in ${dir}`);
  }
}

/** Unmounts a named namespace; one that is not mounted (any more) is fine. */
function unmount(path: string): void {
  try {
    libc.umount2(path, libc.MNT_DETACH);
  } catch (err) {
    if (!(err instanceof SystemCallError && err.errno === EINVAL)) throw err;
  }
}

/** Removes a named namespace; returns its "dev:ino" so what is held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: NamedNs; key: string } {
  const key = namedKey(name, dir);
  const path = `${dir}/${name}`;
  unmount(path);
  unlinkSync(path);
  return { ns: { name, path }, key };
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
 * their unmounts concurrent. A name that does not exist stops the run there:
 * the ones before it are deleted, it fails, the later ones are untouched.
 * Returns what was deleted, and the failure if any.
 */
export async function deleteNamedRun(
  specs: readonly { name: string; dir: string }[],
): Promise<{ deleted: { ns: NamedNs; key: string }[]; failure?: RunFailure }> {
  const found: { ns: NamedNs; key: string }[] = [];
  let failure: RunFailure | undefined;
  for (const [i, { name, dir }] of specs.entries()) {
    try {
      found.push({ ns: { name, path: `${dir}/${name}` }, key: namedKey(name, dir) });
    } catch (err) {
      failure = new RunFailure(i, err);
      break;
    }
  }
  const unmounted: boolean[] = [];
  for (let start = 0; start < found.length; start += libc.CONCURRENT_CALLS) {
    const wave = found.slice(start, start + libc.CONCURRENT_CALLS);
    unmounted.push(...(await Promise.all(wave.map(({ ns }) => libc.umount2Concurrent(ns.path, libc.MNT_DETACH)))));
  }
  const deleted: { ns: NamedNs; key: string }[] = [];
  for (const [i, entry] of found.entries()) {
    try {
      // A failed concurrent unmount is retried here, which also gives its reason.
      if (!unmounted[i]) unmount(entry.ns.path);
      unlinkSync(entry.ns.path);
    } catch (err) {
      return { deleted, failure: new RunFailure(i, err) };
    }
    deleted.push(entry);
  }
  return { deleted, failure };
}
