/**
 * A named namespace (or the stale entry a crash left, see claim.ts) removed
 * as `ip netns del` does: checked, unmounted, its file unlinked. None of it
 * changes a namespace, so any thread may do it: a worker (worker/named.ts,
 * which also closes what it holds on it) or the calling thread (named-here.ts).
 */
import type { NamedNs } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { NotFoundError } from "../errors.js";
import { type FileIdentity, keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { openChecked, refusal, unlinkStale } from "./entry.js";
import { leftoverRule } from "./leftovers.js";

/** A named namespace or stale entry about to be removed, checked; anything else is refused and left as it is. */
export interface Doomed {
  ns: NamedNs;
  /** "dev:ino" of what the entry was: its namespace, or the stale file. */
  key: string;
  mounted: boolean;
  /** A stale entry's file, the only one removed at its path: one put there since the check is not judged. */
  file?: FileIdentity;
}

export function check(name: string, dir: string): Doomed {
  const path = `${dir}/${name}`;
  const opened = openChecked(path, false);
  if (opened.fd === undefined) throw refusal(path, opened.state);
  const { fd, status, state } = opened;
  libc.close(fd);
  if (state.kind !== "namespace" && state.kind !== "stale") throw refusal(path, state);
  const notLeftover = state.kind === "stale" ? leftoverRule(dir)(status) : undefined;
  if (notLeftover !== undefined) throw refusal(path, { kind: "other", reason: notLeftover });
  const mounted = state.kind === "namespace";
  return { ns: { name, path }, key: keyOfIdentity(status), mounted, ...(!mounted && { file: { dev: status.dev, ino: status.ino } }) };
}

export const UNMOUNT_FLAGS = libc.UMOUNT_NOFOLLOW | libc.MNT_DETACH;

/** How many mounts of one namespace stacked on its entry a delete takes down: more is not an entry neslink made. */
const MAX_STACKED = 64;

/** Whether the namespace `key` names is (still) what is mounted at `path`. */
function stillMounted(path: string, key: string): boolean {
  const opened = openChecked(path, false);
  if (opened.fd === undefined) return false;
  libc.close(opened.fd);
  return opened.state.kind === "namespace" && keyOfIdentity(opened.status) === key;
}

/**
 * Unmounts the namespace of an entry checked to be one; false if it is not
 * mounted any more (someone else unmounted it since the check). One whose
 * entry is gone was deleted meanwhile by someone else: not found, as it is
 * for a delete that comes after.
 */
function unmount(path: string): boolean {
  try {
    libc.umount2(path, UNMOUNT_FLAGS);
    return true;
  } catch (err) {
    if (hasErrno(err, "ENOENT")) throw refusal(path, { kind: "missing" });
    if (hasErrno(err, "EINVAL")) return false;
    throw err;
  }
}

/**
 * Unmounts a checked entry's namespace and removes its file. Of deletes of
 * one name racing, exactly one succeeds and the others fail as a later one
 * would (NotFoundError). No lock spans both steps (the file is under the
 * mount until the unmount, and another delete's check that comes between
 * them finds it stale), so neither the unmount nor the check decides who
 * deleted it: the unlink does. A file someone made into a namespace again
 * before the unlink (a create taking the entry over) is theirs: the delete
 * came first, if it was the one to unmount (or found the entry stale).
 * `unmounted`: the caller already unmounted it (a batch's concurrent unmount).
 * `unmountDecides`: for a caller no other delete of its kind races (a lab's
 * destroy, under the lab's lock), its unmount is what deleted the namespace:
 * the file someone else (a prune) removed after it is no failure of its own.
 */
export function remove(doomed: Doomed, unmounted = false, unmountDecides = false): void {
  const path = doomed.ns.path;
  const unmountedHere = doomed.mounted && (unmounted || unmount(path));
  const mayClaim = !doomed.mounted || unmountedHere;
  let outcome = unlinkStale(path, doomed.file);
  // The same namespace there after its unmount was mounted on its entry more than once (`mount --bind` of the entry
  // onto itself), not made since by someone else: it goes too, where a delete took it for theirs and left it mounted.
  for (let layer = 0; outcome === "kept" && unmountedHere && layer < MAX_STACKED && stillMounted(path, doomed.key); layer++) {
    unmount(path);
    outcome = unlinkStale(path);
  }
  if (outcome === "removed" || (outcome === "kept" && mayClaim) || (outcome === "gone" && unmountedHere && unmountDecides)) return;
  throw new NotFoundError("namespace", `no namespace at ${path} (another delete removed it meanwhile)`);
}

/** Removes a named namespace (or the stale entry a crash left); returns its "dev:ino" so what is held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: NamedNs; key: string } {
  const doomed = check(name, dir);
  remove(doomed);
  return { ns: doomed.ns, key: doomed.key };
}
