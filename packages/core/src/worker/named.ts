/**
 * Named namespaces made and removed the way iproute2 does, so `ip netns list`
 * shows them and `ip -n NAME` uses them: a file in a shared mount dir with the
 * namespace bind-mounted on it.
 *
 * Crash safety. The file must exist before the namespace can be mounted on
 * it, and neither a mount point can be renamed into place (rename(2) gives
 * EBUSY) nor a mount moved onto a name that does not exist yet (MS_MOVE needs
 * the target), so a creator killed in between leaves an empty file under the
 * final name. Such a stale entry is recognised (namespace/entry.ts) instead
 * of avoided: creating a namespace takes over a stale entry of its name, so a
 * re-run converges; deleting one removes it; prune removes them all. Whoever
 * creates, takes over or removes an entry holds an exclusive flock on its
 * file from the check to the mount (or unlink), and mounts through the
 * descriptor it checked (/proc/thread-self/fd/N), so two creators never mount
 * on one file. iproute2 takes no such lock: an `ip netns add` racing a
 * take-over of the same name can still stack two mounts.
 */
import { closeSync, mkdirSync, unlinkSync } from "node:fs";
import type { Link } from "@neslink/codec-wasm";
import type { DeletedNs, NamedNs, NsActionSpec } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { AlreadyExistsError } from "../errors.js";
import { keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { entryState, lockStale, openChecked, openStale, refusal, removeStale } from "../namespace/entry.js";
import { listLinks } from "../netlink/dumps.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { RunFailure } from "./failures.js";
import { comeBack, keyOf, openCurrent, SELF_NS } from "./switch.js";

/** A namespace's loopback: the first link of every namespace. */
const LOOPBACK_INDEX = 1;

/** Claims of a name before giving up: each one lost means a prune or another creator changed the entry meanwhile. */
const CLAIM_ATTEMPTS = 3;

/** Dirs this thread has made shared mount points; the mount table does not change under us between tasks. */
const prepared = new Set<string>();

/** The mount dir must be a shared mount point, so mounts made in it reach every mount namespace. */
function prepareDir(dir: string): void {
  if (prepared.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  } catch (err) {
    if (!hasErrno(err, "EINVAL")) throw err;
    // Not a mount point yet: make it one, then shared.
    libc.mount(dir, dir, "none", libc.MS_BIND | libc.MS_REC);
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  }
  prepared.add(dir);
}

/** A new empty file at `path`, or undefined if something is already there. */
function createFile(path: string): number | undefined {
  try {
    return libc.openWith(path, libc.O_RDONLY | libc.O_CREAT | libc.O_EXCL | libc.O_NOFOLLOW, 0o444);
  } catch (err) {
    if (hasErrno(err, "EEXIST")) return undefined;
    throw err;
  }
}

/**
 * The entry for a new namespace named `name`, locked and checked to have
 * nothing mounted on it: a file made now, or a stale one taken over.
 */
function claim(path: string, name: string, dir: string): number {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const made = createFile(path);
    if (made !== undefined) {
      if (lockStale(path, made)) return made;
      // Taken over or pruned before we locked it: look again.
      libc.close(made);
      continue;
    }
    const stale = openStale(path);
    if (stale !== undefined) return stale;
    const state = entryState(path);
    if (state.kind === "namespace" || state.kind === "stale") {
      // A stale entry that could not be locked is being made into a namespace by someone else right now.
      throw new AlreadyExistsError("namespace", `a namespace named "${name}" already exists in ${dir}`);
    }
    if (state.kind === "other") throw refusal(path, state);
  }
  throw new AlreadyExistsError("namespace", `"${name}" in ${dir} kept changing while being created`);
}

/**
 * Creates `${dir}/${name}` holding a brand-new namespace and leaves this
 * thread inside it (the task returns the thread home). On any failure nothing
 * is left behind.
 */
export function enterNewNamed(name: string, dir: string, loAlias?: string): NamedNs {
  prepareDir(dir);
  const path = `${dir}/${name}`;
  const fd = claim(path, name, dir);
  try {
    libc.unshare(libc.CLONE_NEWNET);
    if (loAlias !== undefined) markLoopback(loAlias);
    // Through the descriptor checked under the lock, not the path, which could have changed since.
    libc.mount(SELF_NS, `/proc/thread-self/fd/${fd}`, "none", libc.MS_BIND);
  } catch (err) {
    // Still locked, so still the file claimed, with nothing mounted on it.
    unlinkSync(path);
    throw err;
  } finally {
    libc.close(fd);
  }
  return { name, path };
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

/** A named namespace or stale entry about to be removed, checked; anything else is refused and left as it is. */
interface Doomed {
  ns: NamedNs;
  /** "dev:ino" of what the entry was: its namespace, or the stale file. */
  key: string;
  mounted: boolean;
}

function check(name: string, dir: string): Doomed {
  const path = `${dir}/${name}`;
  const opened = openChecked(path, false);
  if (opened.fd === undefined) throw refusal(path, opened.state);
  const { fd, status, state } = opened;
  libc.close(fd);
  if (state.kind !== "namespace" && state.kind !== "stale") throw refusal(path, state);
  return { ns: { name, path }, key: keyOfIdentity(status), mounted: state.kind === "namespace" };
}

/** What guarded deletions need of the worker. */
export interface GuardAccess {
  /** A new socket inside the namespace open as `fd` (the thread may be left inside it); the caller closes it. */
  socketIn(fd: number): NetlinkSocket;
  /** Records a descriptor the run keeps open as the worker's (closed with it if it dies); `close` closes it. */
  own(fd: number): number;
  close(fd: number): void;
}

/**
 * A guarded deletion's check (see na.deleteNamed's options): the namespace
 * at the entry, if it is one and its loopback carries an alias starting
 * with `loAliasPrefix`; undefined for anything else, which is left alone.
 * The links not in `keepGroup` (those not made to go with the namespace: a
 * veth whose far end is elsewhere, a vxlan whose socket is in another
 * namespace) are deleted now, synchronously: the kernel destroys a namespace
 * asynchronously, and they would outlive the deletion until it has. The
 * descriptor of a namespace found to be the caller's goes to `holds`.
 */
function checkOwned(spec: DeleteSpec, access: GuardAccess, holds: number[]): (Doomed & { loAlias: string }) | undefined {
  const path = `${spec.dir}/${spec.name}`;
  const { fd, state } = openChecked(path, false);
  if (fd === undefined) return undefined;
  let held = false;
  try {
    if (state.kind !== "namespace") return undefined;
    const socket = access.socketIn(fd);
    let loAlias: string | null;
    try {
      let links: Link[];
      try {
        links = listLinks(socket);
      } catch {
        // Unreadable: not shown to be the caller's, so not deleted (as an unmarked one).
        return undefined;
      }
      loAlias = links.find((l) => l.index === LOOPBACK_INDEX)?.alias ?? null;
      if (loAlias === null || !loAlias.startsWith(spec.loAliasPrefix ?? "")) return undefined;
      const outward = links.filter((l) => l.index !== LOOPBACK_INDEX && l.group !== spec.keepGroup);
      if (spec.keepGroup !== undefined && outward.length > 0) {
        const { errors } = socket.transactEach(
          outward.map((l) => ({ request: { type: "delLink", index: l.index }, label: "RTM_DELLINK" })),
        );
        // One gone meanwhile (a veth's far end deleted with it) is what was wanted.
        const failed = errors.find((e) => e !== undefined && !hasErrno(e, "ENODEV"));
        if (failed) throw failed;
      }
    } finally {
      socket.close();
    }
    holds.push(access.own(fd));
    held = true;
    return { ns: { name: spec.name, path }, key: keyOf(fd), mounted: true, loAlias };
  } finally {
    if (!held) libc.close(fd);
  }
}

const UNMOUNT_FLAGS = libc.UMOUNT_NOFOLLOW | libc.MNT_DETACH;

/** Unmounts the namespace of an entry checked to be one; one that is not mounted any more is fine. */
function unmount(path: string): void {
  try {
    libc.umount2(path, UNMOUNT_FLAGS);
  } catch (err) {
    if (!hasErrno(err, "EINVAL")) throw err;
  }
}

/**
 * Unmounts a checked entry's namespace and removes its file. A file someone
 * is making into a namespace again right now (locked) is theirs: the delete
 * came first.
 */
function remove(doomed: Doomed, unmounted = false): void {
  if (doomed.mounted && !unmounted) unmount(doomed.ns.path);
  removeStale(doomed.ns.path);
}

/** Removes a named namespace (or the stale entry a crash left); returns its "dev:ino" so what is held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: NamedNs; key: string } {
  const doomed = check(name, dir);
  remove(doomed);
  return { ns: doomed.ns, key: doomed.key };
}

type DeleteSpec = Omit<Extract<NsActionSpec, { kind: "deleteNamed" }>, "kind">;

/** The consecutive deleteNamed actions starting at `start`. */
export function deletionRun(actions: readonly NsActionSpec[], start: number): DeleteSpec[] {
  const run: DeleteSpec[] = [];
  for (let i = start; i < actions.length; i++) {
    const action = actions[i] as NsActionSpec;
    if (action.kind !== "deleteNamed") break;
    const { kind: _, ...spec } = action;
    run.push(spec);
  }
  return run;
}

/** What a deletion of a run removed: its entry, "dev:ino", and for a guarded one the alias that made it the caller's. */
export interface Deleted {
  ns: DeletedNs;
  key: string;
}

/**
 * Removes named namespaces as consecutive deleteNamed actions would, with
 * their unmounts concurrent, each started as soon as its entry is checked. A
 * name that does not exist, or is not a namespace, stops the run there: the
 * ones before it are deleted, it fails, the later ones are untouched. A
 * guarded deletion (loAliasPrefix) skips, with null, what is not the
 * caller's instead, and holds the namespaces it deletes open until the run
 * ends: the kernel destroys a namespace as soon as nothing holds it, under
 * the RTNL lock the next checks' reads would wait for.
 * Returns what was deleted (null: skipped), and the failure if any.
 */
export async function deleteNamedRun(
  specs: readonly DeleteSpec[],
  access: GuardAccess,
): Promise<{ deleted: (Deleted | null)[]; failure?: RunFailure }> {
  const holds: number[] = [];
  try {
    return await deleteChecked(specs, access, holds);
  } finally {
    for (const fd of holds) access.close(fd);
  }
}

async function deleteChecked(
  specs: readonly DeleteSpec[],
  access: GuardAccess,
  holds: number[],
): Promise<{ deleted: (Deleted | null)[]; failure?: RunFailure }> {
  const found: ((Doomed & { loAlias?: string }) | null)[] = [];
  const unmounted: boolean[] = [];
  const unmounts: Promise<void>[] = [];
  let active = 0;
  let freed = () => {};
  let failure: RunFailure | undefined;
  for (const [i, spec] of specs.entries()) {
    let doomed: (Doomed & { loAlias?: string }) | undefined;
    try {
      doomed = spec.loAliasPrefix === undefined ? check(spec.name, spec.dir) : checkOwned(spec, access, holds);
    } catch (err) {
      failure = new RunFailure(i, err);
      break;
    }
    found.push(doomed ?? null);
    if (!doomed?.mounted) continue;
    while (active >= libc.CONCURRENT_CALLS) await new Promise<void>((resolve) => (freed = resolve));
    active++;
    unmounts.push(
      libc.umount2Concurrent(doomed.ns.path, UNMOUNT_FLAGS).then((ok) => {
        unmounted[i] = ok;
        active--;
        freed();
      }),
    );
  }
  await Promise.all(unmounts);
  const deleted: (Deleted | null)[] = [];
  for (const [i, doomed] of found.entries()) {
    if (doomed === null) {
      deleted.push(null);
      continue;
    }
    try {
      // A failed concurrent unmount is retried here, which also gives its reason.
      remove(doomed, unmounted[i]);
    } catch (err) {
      return { deleted, failure: new RunFailure(i, err) };
    }
    const ino = Number(doomed.key.slice(doomed.key.indexOf(":") + 1));
    deleted.push({ ns: { ...doomed.ns, ...(doomed.loAlias !== undefined && { loAlias: doomed.loAlias, ino }) }, key: doomed.key });
  }
  return { deleted, failure };
}
