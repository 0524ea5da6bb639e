/**
 * A named namespace (or the stale entry a crash left, see claim.ts) removed
 * as `ip netns del` does: checked, unmounted, its file unlinked. None of it
 * changes a namespace, so any thread may do it: a worker (worker/named.ts,
 * which also closes what it holds on it) or the calling thread (named-here.ts).
 */
import type { NamedNs } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { openChecked, refusal, removeStale } from "./entry.js";

/** A named namespace or stale entry about to be removed, checked; anything else is refused and left as it is. */
export interface Doomed {
  ns: NamedNs;
  /** "dev:ino" of what the entry was: its namespace, or the stale file. */
  key: string;
  mounted: boolean;
}

export function check(name: string, dir: string): Doomed {
  const path = `${dir}/${name}`;
  const opened = openChecked(path, false);
  if (opened.fd === undefined) throw refusal(path, opened.state);
  const { fd, status, state } = opened;
  libc.close(fd);
  if (state.kind !== "namespace" && state.kind !== "stale") throw refusal(path, state);
  return { ns: { name, path }, key: keyOfIdentity(status), mounted: state.kind === "namespace" };
}

export const UNMOUNT_FLAGS = libc.UMOUNT_NOFOLLOW | libc.MNT_DETACH;

/**
 * Unmounts the namespace of an entry checked to be one; one that is not
 * mounted any more is fine (its file is removed next). One whose entry is
 * gone was deleted meanwhile by someone else: not found, as it is for a
 * delete that comes after.
 */
function unmount(path: string): void {
  try {
    libc.umount2(path, UNMOUNT_FLAGS);
  } catch (err) {
    if (hasErrno(err, "ENOENT")) throw refusal(path, { kind: "missing" });
    if (!hasErrno(err, "EINVAL")) throw err;
  }
}

/**
 * Unmounts a checked entry's namespace and removes its file. A file someone
 * is making into a namespace again right now (locked) is theirs: the delete
 * came first.
 */
export function remove(doomed: Doomed, unmounted = false): void {
  if (doomed.mounted && !unmounted) unmount(doomed.ns.path);
  removeStale(doomed.ns.path);
}

/** Removes a named namespace (or the stale entry a crash left); returns its "dev:ino" so what is held on it can be closed. */
export function deleteNamed(name: string, dir: string): { ns: NamedNs; key: string } {
  const doomed = check(name, dir);
  remove(doomed);
  return { ns: doomed.ns, key: doomed.key };
}
