/**
 * Where a program is, found as execvp(3) finds it: looked up by core itself
 * so that a program that cannot run is a typed error (ENOENT, EACCES) before
 * anything starts, whichever way it is then started (a worker's spawn,
 * nsenter, or the process replaced, see replace.ts). No child_process here:
 * what only looks a program up loads no more than this.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { errno, hasErrno } from "./errno.js";
import { SystemCallError } from "./errors.js";

/** execvp's search path when PATH is unset. */
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The file execvp would run for `file`. Looked up here, not left to the
 * exec: through setpriv or nsenter a missing program would only be an exit
 * status 127, and the caller is owed a typed ENOENT (EACCES when found but
 * not runnable).
 */
export function resolveProgram(file: string, path: string | undefined, cwd: string): string {
  const candidates = file.includes("/")
    ? [resolve(cwd, file)]
    : (path ?? DEFAULT_PATH).split(delimiter).map((dir) => join(resolve(cwd, dir), file));
  let denied = false;
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
      denied = true;
    } catch (err) {
      if (hasErrno(err, "EACCES")) denied = true;
    }
  }
  throw new SystemCallError("spawn", denied ? errno.EACCES : errno.ENOENT, file);
}

/** Where a helper program (util-linux's) is, looked up in PATH; undefined when it is not installed. */
export function installed(name: string): string | undefined {
  try {
    return resolveProgram(name, process.env.PATH, "/");
  } catch {
    return undefined;
  }
}
