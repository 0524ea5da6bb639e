/**
 * Named namespaces, as `ip netns list` finds them (the files of the mount
 * dir), but only those that really are usable namespaces: a stale entry, a
 * symlink, a FIFO... is not one (prune.ts removes stale ones). Told by the
 * mount table (mounts.ts), as entry.ts's checks would tell it by opening each.
 */
import { readdirSync } from "node:fs";
import { hasErrno } from "../errno.js";
import { ValidationError } from "../errors.js";
import { absolutePath } from "../validate/validate.js";
import { netnsMountedIn } from "./mounts.js";
import { DEFAULT_NETNS_DIR } from "./paths.js";

/**
 * Names of the entries of `dir`, sorted; none if the dir does not exist. A
 * name that is not UTF-8 is left out: as a string it would name another file
 * (every bad byte read as U+FFFD), or another entry's too.
 */
export function entryNames(dir: string): string[] {
  try {
    const names = readdirSync(dir);
    // Only a name holding U+FFFD can be one that is not UTF-8: then the names are read again as bytes and checked.
    if (!names.some((name) => name.includes("\uFFFD"))) return names.sort();
    return readdirSync(dir, { encoding: "buffer" })
      .flatMap((bytes) => {
        const name = bytes.toString();
        return Buffer.from(name).equals(bytes) ? [name] : [];
      })
      .sort();
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return [];
    // A file given for the dir, or on its path: the caller's input, said of it (as a create says it), not a bare errno.
    if (hasErrno(err, "ENOTDIR")) throw new ValidationError("dir", `${dir} is not a directory, nor a path to one`);
    throw err;
  }
}

/** Names of the namespaces in `dir` (default /run/netns), sorted; none if the dir does not exist. */
export function listNamed(dir: string = DEFAULT_NETNS_DIR): string[] {
  const at = absolutePath("dir", dir);
  return netnsMountedIn(at, entryNames(at));
}
