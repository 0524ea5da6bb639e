/**
 * Whether anyone holds a flock on a file, read from /proc/locks rather than
 * by trying the lock: a probe lock, however brief, could make a creator's
 * own try-lock fail (namespace/claim.ts), and it would take the entry for
 * someone else's. Only asked on an error path, so its cost does not matter.
 */
import { readFileSync } from "node:fs";
import { devNumbers, type FileIdentity } from "../ffi/identity.js";

/** How /proc/locks names a file: the kernel's `%02x:%02x:%lu` of its device's major, minor and its inode. */
function lockKey({ dev, ino }: FileIdentity): string {
  const { major, minor } = devNumbers(dev);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${ino}`;
}

/** Whether /proc/locks lists a flock (held or waited for) on the file; false when it cannot be read. */
export function flockedByAnyone(file: FileIdentity): boolean {
  let table: string;
  try {
    table = readFileSync("/proc/locks", "utf8");
  } catch {
    return false;
  }
  const key = lockKey(file);
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields.includes("FLOCK") && fields.includes(key);
  });
}
