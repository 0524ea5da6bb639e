/**
 * Who holds a flock on a file, read from /proc/locks rather than by trying
 * the lock: a probe lock, however brief, could make a creator's own try-lock
 * fail (namespace/claim.ts), and it would take the entry for someone else's.
 * Asked on an error path, and once per topology lock taken or plan made.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { clipped, everyHiddenCharacter } from "../errors.js";
import { devNumbers, type FileIdentity, identityOfPath } from "../ffi/identity.js";

/** How /proc/locks names a file: the kernel's `%02x:%02x:%lu` of its device's major, minor and its inode. */
function lockKey({ dev, ino }: FileIdentity): string {
  const { major, minor } = devNumbers(dev);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${ino}`;
}

/**
 * /proc/locks as one moment saw it. The kernel gives it a page per read(2),
 * each from the list as it is then, by position: a lock released meanwhile
 * shifts the rest back and the next page skips one, or ends the file early,
 * and the one skipped may be the one asked about (a held lock read as free,
 * ~1 reading in 500 with 40 to 260 flocks churning). So it is read until two
 * readings agree (any change renumbers the lines after it), or after READS
 * the union of what was read, so nothing held throughout is missed.
 *
 * Each reading takes the write side of the kernel's lock on the list of locks
 * (file_rwsem), which first waits for an RCU grace period unless a reading
 * ended less than one ago: on a loaded 2-core host, 8 to 17 ms for a plan's
 * first reading before its reads, 20 to 45 ms for one just after them (their
 * own work keeps grace periods under way), 0.1 ms for the next.
 */
function locksTable(): string {
  const reads: string[] = [];
  for (;;) {
    let text: string;
    try {
      text = readFileSync(LOCKS, "utf8");
    } catch {
      return "";
    }
    const table = settled(reads, text);
    if (table !== undefined) return table;
  }
}

/** locksTable read on libuv's threads: the grace period each reading may wait for is not the calling thread's. */
async function locksTableLater(): Promise<string> {
  const reads: string[] = [];
  for (;;) {
    let text: string;
    try {
      // Taken here: node:fs/promises brings readline and fs.watch's modules, and most commands never wait on a lock.
      text = await process.getBuiltinModule("node:fs/promises").readFile(LOCKS, "utf8");
    } catch {
      return "";
    }
    const table = settled(reads, text);
    if (table !== undefined) return table;
  }
}

/** With `text` read after `reads`: the table once two readings agree, or the union after READS; undefined: read again. */
function settled(reads: string[], text: string): string | undefined {
  if (text === reads.at(-1)) return text;
  reads.push(text);
  if (reads.length === READS) return [...new Set(reads.flatMap((read) => read.split("\n")))].join("\n");
  return undefined;
}

const LOCKS = "/proc/locks";
const READS = 8;

/** A /proc/locks table's FLOCK lines, as fields (a waiter's second field is "->"); none when it could not be read. */
function flockTable(table = locksTable()): string[][] {
  return table
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.includes("FLOCK"));
}

/** /proc/locks' FLOCK lines about the file. */
function flockLines(file: FileIdentity): string[][] {
  const key = lockKey(file);
  return flockTable().filter((fields) => fields.includes(key));
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
  return flockHolders(file)[0] ?? "";
}

/** The pids /proc/locks gives for every flock held on the file (shared ones: any number; waiters left out). */
export function flockHolders(file: FileIdentity): string[] {
  return flockLines(file).flatMap((fields) => (fields[1] === "->" || fields[4] === undefined ? [] : [fields[4]]));
}

/** removedFileHolder, with /proc/locks read off the calling thread (locksTableLater). */
export async function removedFileHolderLater(path: string, own: FileIdentity): Promise<string> {
  return removedFileHolder(path, own, await locksTableLater());
}

/** A pid as /proc/locks gives it; -1 or 0 for a holder outside this pid namespace. */
const PID = /^[1-9]\d*$/;

/** Whether `holder` (as /proc/locks gives it) is a pid of this pid namespace: only such a holder is looked up in /proc or signalled. */
export const isPid = (holder: string): boolean => PID.test(holder);

const COMMAND_CHARS = 160;

/**
 * A holder as a user can find it: its pid and what it runs. The process
 * that holds a lock is often not the one the user started (a `neslink agent`
 * running the apply of a client that was killed), and its command line says so.
 */
export function describedHolder(pid: string): string {
  let command = "";
  try {
    if (isPid(pid)) command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    // Gone meanwhile, or /proc unreadable: the pid alone.
  }
  if (command === "") return `pid ${pid}`;
  const printable = command.replace(everyHiddenCharacter(), "?");
  return `pid ${pid}: ${clipped(printable, COMMAND_CHARS)}`;
}

/**
 * The pid of a process holding a flock on a file that was at `path` and was
 * removed since (another than `own`, the file there now): as lslocks names a
 * lock's file, by the holder's descriptors, one of which reads
 * "PATH (deleted)". Only flocks on `own`'s file system are looked at; ""
 * when there is none, or the holder's descriptors cannot be read.
 */
export function removedFileHolder(path: string, own: FileIdentity, table?: string): string {
  const ownKey = lockKey(own);
  const device = ownKey.slice(0, ownKey.lastIndexOf(":") + 1);
  const removed = `${path} (deleted)`;
  const byPid = new Map<string, Set<string>>();
  for (const fields of flockTable(table)) {
    const [pid, file] = [fields[4], fields[5]];
    if (fields[1] === "->" || !PID.test(pid ?? "") || file === undefined || file === ownKey || !file.startsWith(device)) continue;
    byPid.set(pid as string, (byPid.get(pid as string) ?? new Set()).add(file));
  }
  for (const [pid, files] of byPid) if (holdsRemoved(pid, removed, files)) return pid;
  return "";
}

/** Whether process `pid` has a descriptor on `removed` (a path with " (deleted)") that is one of `files` (lock keys). */
function holdsRemoved(pid: string, removed: string, files: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to read
  }
  return fds.some((fd) => {
    try {
      const at = `/proc/${pid}/fd/${fd}`;
      return readlinkSync(at) === removed && files.has(lockKey(identityOfPath(at)));
    } catch {
      return false; // closed meanwhile
    }
  });
}
