/**
 * The directories a --token-file is reached through, held to what OpenSSH's StrictModes asks of those of a key: a
 * user who may rename or remove entries in any of them can put another file (or a symlink to one) in the token's
 * place, whatever the token file's own owner and mode.
 */
import { lstatSync, readlinkSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";

/** The kernel's own bound on symlinks followed in one lookup: past it, open(2) fails with ELOOP and says so itself. */
const MAX_SYMLINKS = 40;

/**
 * Why a directory of this owner and mode lets a user other than root and `euid` replace what is in it; undefined: it
 * does not. Owned by root or `euid`, and writable by neither group nor others, unless sticky (as /tmp is): there only
 * an entry's owner, the directory's owner or root may rename or remove it, and the token file's owner is checked.
 */
export function directoryRefusal(stat: Pick<Stats, "uid" | "mode">, euid: number): string | undefined {
  if (stat.uid !== 0 && stat.uid !== euid) return `is owned by uid ${stat.uid}, neither root nor the server's user (uid ${euid})`;
  const mode = stat.mode & 0o7777;
  if ((mode & 0o022) === 0 || (mode & 0o1000) !== 0) return undefined;
  return `is writable by group or others without the sticky bit (mode ${mode.toString(8).padStart(4, "0")})`;
}

/** The first directory on the way to the file at `path` that `directoryRefusal` refuses, and why; undefined: none. */
export function unsafeDirectory(path: string, euid: number): { dir: string; why: string } | undefined {
  for (const dir of directoriesSearched(path)) {
    const stat = lstatOrUndefined(dir);
    const why = stat === undefined ? undefined : directoryRefusal(stat, euid);
    if (why !== undefined) return { dir, why };
  }
  return undefined;
}

/**
 * The directories the kernel looks a name up in on its way to the file at `path` (whoever may change one chooses
 * what that name is), walked as it walks them: from the working directory for a relative path, each symlink on the
 * way followed where it points, '..' the parent of where the walk is (not of what the path reads; no name is chosen
 * by looking it up). A part missing or no directory ends the walk: opening the file says that.
 */
function* directoriesSearched(path: string): Generator<string> {
  const parts = (path.startsWith("/") ? path : `${process.cwd()}/${path}`).split("/");
  const file = parts.pop() as string;
  let at = "/";
  let links = 0;
  for (let name = parts.shift(); name !== undefined; name = parts.shift()) {
    if (name === "" || name === ".") continue;
    if (name === "..") {
      at = dirname(at);
      continue;
    }
    yield at;
    const next = join(at, name);
    const stat = lstatOrUndefined(next);
    if (stat?.isSymbolicLink()) {
      const target = ++links > MAX_SYMLINKS ? undefined : readlinkOrUndefined(next);
      if (target === undefined) return;
      parts.unshift(...target.split("/"));
      if (target.startsWith("/")) at = "/";
      continue;
    }
    if (!stat?.isDirectory()) return;
    at = next;
  }
  // The file's own name, looked up there; the file itself is checked on the descriptor it is read from.
  if (file !== "") yield at;
}

// undefined for a part missing or out of reach (EACCES to a user), or changed since: open(2) says what is wrong.
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
