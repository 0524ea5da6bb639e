/**
 * A mark a process holds on a file for other processes to tell what it is:
 * a shared flock, held while it lives (a server that runs others' commands,
 * such as the CLI's agent or the HTTP server, met as the holder of a lab's
 * lock). The kernel lets go of it when the process exits, however it exits:
 * unlike a pid file, a mark never outlives its process, nor names the next
 * process given its pid. Any number of processes hold one file's mark at
 * once; who does is read from /proc/locks.
 *
 * A mark's file is never removed, on purpose. It is one empty file per kind
 * of process (AGENT_MARK, HTTP_SERVER_MARK), whatever number of them ever
 * ran, on /run (a tmpfs, emptied at boot), and what it says is in
 * /proc/locks, not in the file: nothing grows, and a file with no holder
 * says nothing. Removing it when its last holder leaves would race with a
 * process marking itself: one that opened the file just before the unlink
 * and locks it just after holds a mark on a file no path leads to, which
 * markHolders never reads, so that process would be "another process" again
 * for its whole life. Made safe, every holder would have to probe for being
 * the last (an exclusive lock), every new one retry while that probe holds
 * it and check, once locked, that the path still leads to its file (as
 * topology/lock.ts does for labs), and a killed last holder would leave the
 * file anyway: all that to spare one empty inode. (A mark file removed by
 * hand, or /run/neslink with it, hides the processes holding it until they
 * restart; the next to start makes a new one.)
 */
import { closeSync, constants, mkdirSync, openSync } from "node:fs";
import { dirname, isAbsolute } from "node:path";
import { errno } from "./errno.js";
import { SystemCallError, ValidationError } from "./errors.js";
import { type FileIdentity, identityOfEntry } from "./ffi/identity.js";
import * as libc from "./ffi/libc.js";
import { flockHolders } from "./namespace/flocked.js";

/** The mark every running `neslink agent` holds (the CLI's). */
export const AGENT_MARK = "/run/neslink/agents.lock";
/** The mark every listening neslink HTTP server holds (@neslink/http's), in its bin or a program that embeds it. */
export const HTTP_SERVER_MARK = "/run/neslink/http-servers.lock";

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

/**
 * holdMark, the mark's directory made first (mode 0700) if missing, for a
 * process that works the same unmarked: one that cannot write there (not
 * root, where it takes no lab's lock either) gets a function that does
 * nothing, and holds no mark.
 */
export function markSelf(path: string): () => void {
  try {
    mkdirSync(dirname(markPath(path)), { recursive: true, mode: 0o700 });
    return holdMark(path);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    return () => {};
  }
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
