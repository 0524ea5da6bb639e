/**
 * A mount dir made what ip makes /run/netns: a shared mount point of its own,
 * so a namespace mounted in it reaches every mount namespace, and unmounting
 * it there unmounts it everywhere.
 *
 * ip does that to its one dir, whatever it holds. neslink takes any dir, and
 * one given by mistake must keep its mounts as they were: /etc bind-mounted
 * on itself becomes a mount of its own, and MS_SHARED|MS_REC on a mount such
 * as / or /home makes it and every mount below it propagate into the mount
 * namespaces copied from it (containers) and back. So a dir other than the
 * default one is made a shared mount point only if it holds nothing but
 * namespaces and what a killed creator leaves (leftovers.ts), as a dir made
 * for namespaces does; one that is one already has nothing changed, and is
 * taken whatever it holds.
 */
import { hasErrno } from "../errno.js";
import { shown, ValidationError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { entryVerdict, isDefaultDir, leftoverRule } from "./leftovers.js";
import { entryNames } from "./list.js";
import { mountPointAt } from "./mounts.js";

/** Refuses `dir` (ValidationError of `dir`) if it holds an entry that is neither a namespace nor a creator's leftover. */
function assertOnlyNamespaces(dir: string): void {
  const rule = leftoverRule(dir);
  for (const name of entryNames(dir)) {
    const verdict = entryVerdict(`${dir}/${name}`, rule);
    if (verdict.kind !== "other") continue;
    throw new ValidationError(
      "dir",
      `${dir} holds ${shown(name)}, ${verdict.reason}: neslink makes a dir of named namespaces a shared mount point of its own, and so takes only one that is empty or holds namespaces (and the empty files a killed creator leaves), never a dir of other files given by mistake`,
    );
  }
}

/** Makes the existing dir `dir` a shared mount point of its own, as above; refused, with nothing changed, when it is not one for namespaces. */
export function shareMountDir(dir: string): void {
  if (!isDefaultDir(dir)) {
    if (mountPointAt(dir)?.shared) return;
    assertOnlyNamespaces(dir);
  }
  try {
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  } catch (err) {
    if (!hasErrno(err, "EINVAL")) throw err;
    // Not a mount point yet: make it one, then shared.
    libc.mount(dir, dir, "none", libc.MS_BIND | libc.MS_REC);
    libc.mount("none", dir, null, libc.MS_SHARED | libc.MS_REC);
  }
}
