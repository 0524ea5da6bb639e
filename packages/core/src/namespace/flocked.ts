/**
 * Who holds a flock on a file, read from /proc/locks rather than by trying
 * the lock: a probe lock, however brief, could make a creator's own try-lock
 * fail (namespace/claim.ts), and it would take the entry for someone else's.
 * Only asked on an error path, so its cost does not matter.
 */
import { readFileSync } from "node:fs";
import { devNumbers, type FileIdentity } from "../ffi/identity.js";

/** How /proc/locks names a file: the kernel's `%02x:%02x:%lu` of its device's major, minor and its inode. */
function lockKey({ dev, ino }: FileIdentity): string {
  const { major, minor } = devNumbers(dev);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${ino}`;
}

/** /proc/locks' FLOCK lines about the file, as fields (a waiter's second field is "->"); none when it cannot be read. */
function flockLines(file: FileIdentity): string[][] {
  let table: string;
  try {
    table = readFileSync("/proc/locks", "utf8");
  } catch {
    return [];
  }
  const key = lockKey(file);
  return table
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.includes("FLOCK") && fields.includes(key));
}

/** Whether /proc/locks lists a flock (held or waited for) on the file; false when it cannot be read. */
export function flockedByAnyone(file: FileIdentity): boolean {
  return flockLines(file).length > 0;
}

/**
 * The pid /proc/locks gives for the flock held on the file: the process that
 * took it, which may have exited since while a child it forked keeps the
 * descriptor (the kernel keeps the number); "" when none is listed.
 */
export function flockHolder(file: FileIdentity): string {
  const held = flockLines(file).find((fields) => fields[1] !== "->");
  return held?.[4] ?? "";
}
