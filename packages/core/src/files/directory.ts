/**
 * Why a path cannot be made a directory, in words: mkdir's EEXIST or ENOTDIR
 * only says that something is in the way, not what, nor where on the path.
 */
import { S_IFDIR, statusOfPath, typeName } from "../ffi/identity.js";

/**
 * The first entry on absolute `path` (symlinks followed, as mkdir follows
 * them) that exists and is no directory, said as "/run/x is a FIFO, not a
 * directory"; undefined when there is none (all directories, or one missing).
 * statx opens nothing: a FIFO on the path does not block.
 */
export function notADirectory(path: string): string | undefined {
  let at = "";
  for (const part of path.split("/").filter(Boolean)) {
    at = `${at}/${part}`;
    let type: number;
    try {
      type = statusOfPath(at, true).type;
    } catch {
      return undefined;
    }
    if (type !== S_IFDIR) return `${at} is ${typeName(type)}, not a directory`;
  }
  return undefined;
}
