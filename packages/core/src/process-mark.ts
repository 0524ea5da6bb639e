/**
 * A mark a process holds on a file for other processes to tell what it is:
 * a shared flock, held while it lives (a server that runs others' commands,
 * such as the CLI's agent, met as the holder of a lab's lock). The kernel lets
 * go of it when the process exits, however it exits: unlike a pid file, a
 * mark never outlives its process, nor names the next process given its pid.
 * Any number of processes hold one file's mark at once; who does is read from
 * /proc/locks.
 */
import { closeSync, constants, openSync } from "node:fs";
import { isAbsolute } from "node:path";
import { errno } from "./errno.js";
import { SystemCallError, ValidationError } from "./errors.js";
import { type FileIdentity, identityOfEntry } from "./ffi/identity.js";
import * as libc from "./ffi/libc.js";
import { flockHolders } from "./namespace/flocked.js";

function markPath(path: unknown): string {
  if (typeof path !== "string" || !isAbsolute(path) || path.includes("\0"))
    throw new ValidationError("path", "must be an absolute path, without NUL");
  return path;
}

/**
 * Holds this process's mark on `path` (the file made, mode 0600, if there is
 * none; a symlink in its place is refused) until the function returned is
 * called, or the process ends. Throws what opening the file throws (its
 * directory missing, EACCES), or EWOULDBLOCK while someone holds the file
 * locked exclusively: no mark can be taken there.
 */
export function holdMark(path: string): () => void {
  const fd = openSync(markPath(path), constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    if (!libc.tryLock(fd, libc.LOCK_SH)) throw new SystemCallError("flock", errno.EWOULDBLOCK, path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let held = true;
  return () => {
    if (held) closeSync(fd);
    held = false;
  };
}

/** The pids (as /proc/locks gives them) of the processes holding a mark on `path`; none where there is no such file. */
export function markHolders(path: string): string[] {
  let file: FileIdentity;
  try {
    // Not followed: a symlink put there would name the holders of whatever file it leads to.
    file = identityOfEntry(markPath(path));
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    return [];
  }
  return flockHolders(file);
}
