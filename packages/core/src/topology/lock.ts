/**
 * One apply or destroy of a topology at a time, across processes: an
 * exclusive flock on /run/neslink/topologies/<name>.lock. The kernel releases
 * it when its holder exits, however it exits, so a killed apply never leaves
 * the topology locked. A destroy removes the file (nothing of the lab is
 * left), while holding the lock: whoever opened the file before that and
 * locks it after finds the path no longer leads to it, and takes the lock
 * again on the path's new file. A file removed by hand while held (or
 * /run/neslink with it) leaves the path to a new file no one holds: a lock
 * taken on it is given up if a live process still holds the removed one,
 * found by its descriptors (removedFileHolder), and the holder's own
 * remove() unlinks only its own file. The file stays empty: who holds the lock is
 * read from /proc/locks. (Writing a pid into it cost a real disk write on
 * close where /run is ext4: truncating and rewriting a file has ext4 flush
 * its blocks then, ~10-20 ms for each apply and destroy.) Whoever takes the
 * lock sets the file's mtime forward before anything else (markTaken): a plan
 * tells from it, with no reading of /proc/locks, that the lock was taken
 * while it read the kernel (plan-lock.ts).
 */
import { closeSync, constants, fstatSync, futimesSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { hasErrno } from "../errno.js";
import { NeslinkError } from "../errors.js";
import { type FileIdentity, identityOfFd, identityOfPath, sameFile } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { holderOf } from "../lock-holder.js";
import { flockHolder, removedFileHolder, removedFileHolderLater } from "../namespace/flocked.js";
import { sleepSync } from "../sleep-sync.js";
import { labName } from "./shape.js";

export const LOCK_DIR = "/run/neslink/topologies";

/** Another process, or another call of this one, is applying or destroying the same topology. */
export class TopologyLockedError extends NeslinkError {
  readonly topology: string;
  /** The lock's holder as /proc/locks gives it (a pid), or "" when it could not be told. */
  readonly holder: string;

  /** `meanwhile`: no one holds it now, but someone took or let go of it while a plan read the kernel. */
  constructor(topology: string, holder: string, { meanwhile = false } = {}) {
    super(
      "ERR_TOPOLOGY_LOCKED",
      meanwhile
        ? `topology ${topology} was being applied or destroyed while this plan read it (by another process, or another call of this one): plan again`
        : `topology ${topology} is being applied or destroyed by ${holderText(holder)}`,
    );
    this.topology = topology;
    this.holder = holder;
  }
}

/**
 * Who holds the lock, for the message; one of neslink's servers with what can be done about it, since it holds the
 * lock for a client and the user who meets it did not start it.
 */
function holderText(holder: string): string {
  const { words, server } = holderOf(holder);
  return server ? `${words}: wait for that to end, or stop it (kill ${holder})` : words;
}

/** A pid as /proc/locks gives it: only such a holder is looked up in /proc or signalled. */
const PID = /^[1-9]\d*$/;

/** A topology's lock, held. */
export interface TopologyLock {
  release(): void;
  /** Removes the lock file, then releases: for when the lab is gone. */
  remove(): void;
}

/** Whether `fd` is the file `path` leads to now (the same device and inode). */
function stillAt(fd: number, path: string): boolean {
  try {
    return sameFile(identityOfPath(path), identityOfFd(fd));
  } catch {
    return false;
  }
}

/** Whether the process `holder` (a pid as /proc/locks gives it) is gone. */
function exited(holder: string): boolean {
  if (!PID.test(holder)) return false;
  try {
    process.kill(Number(holder), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** How long a lock whose holder has exited may take to be let go (see lockTopology). */
const RELEASE_MS = 2000;

/**
 * Takes the topology's lock, or throws TopologyLockedError at once when
 * another process holds it. A holder that has exited (killed) lets go when
 * its last copy of the descriptor closes: a child it was forking when it
 * died holds one until its exec, a moment later, so such a lock is waited
 * for, up to RELEASE_MS.
 */
export function lockTopology(topology: string): TopologyLock {
  return taken(topology, false);
}

/**
 * lockTopology for a caller that reads the kernel before it changes anything (apply): the lock is taken at once, and
 * the look for a holder of a removed lock file (removedFileHolder: a reading of /proc/locks, which waits for an RCU
 * grace period, 6 to 20 ms on a loaded host) runs off this thread meanwhile. `unshared` settles once it is over:
 * rejected with TopologyLockedError where that holder lives on (past RELEASE_MS for one that has exited), as
 * lockTopology throws; the lock stays the caller's to release either way, and it must change nothing before.
 */
export function lockTopologyReading(topology: string): TopologyLock & { unshared: Promise<void> } {
  return taken(topology, true);
}

/** A removed lock file's holder gone (none, or one that has exited and let go within RELEASE_MS); else TopologyLockedError. */
async function removedHolderGone(topology: string, path: string, own: FileIdentity): Promise<void> {
  const deadline = Date.now() + RELEASE_MS;
  for (;;) {
    const holder = await removedFileHolderLater(path, own);
    if (holder === "") return;
    if (!exited(holder) || Date.now() >= deadline) throw new TopologyLockedError(topology, holder);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function taken(topology: string, later: false): TopologyLock;
function taken(topology: string, later: true): TopologyLock & { unshared: Promise<void> };
function taken(topology: string, later: boolean): TopologyLock & { unshared?: Promise<void> } {
  const path = lockPath(topology);
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + RELEASE_MS;
  for (;;) {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    let locked: boolean;
    let current: boolean;
    try {
      locked = libc.tryLock(fd, libc.LOCK_EX);
      current = stillAt(fd, path);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    // Removed by its holder since this open (a destroy that ended): the path's new file is the lock now.
    if (!current) {
      closeSync(fd);
      continue;
    }
    // Ours, unless the file was removed by hand (or /run/neslink was) while another process held it: the path then
    // leads to a new file, which no one holds, and that holder is still applying or destroying.
    // Taken `later`, the removed file's holder is looked for off this thread (lockTopologyReading).
    const holder = !locked ? flockHolder(identityOfFd(fd)) : later ? "" : removedFileHolder(path, identityOfFd(fd));
    if (!locked || holder !== "") {
      closeSync(fd);
      // None listed: let go between the try and the read, so try again (bounded: /proc/locks may be unreadable).
      const released = holder === "" && Date.now() < deadline;
      if (!released && (!exited(holder) || Date.now() >= deadline)) throw new TopologyLockedError(topology, holder);
      // Synchronous, as the whole check is: 10 ms at a time.
      sleepSync(10);
      continue;
    }
    try {
      markTaken(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const lock: TopologyLock & { unshared?: Promise<void> } = {
      release: () => closeSync(fd),
      remove: () => {
        try {
          // Only its own file: one removed by hand since, the path's new file is someone else's.
          if (stillAt(fd, path)) unlinkSync(path);
        } finally {
          closeSync(fd);
        }
      },
    };
    if (later) {
      lock.unshared = removedHolderGone(topology, path, identityOfFd(fd));
      // Awaited by the caller once its reads are over: a rejection before that is not an unhandled one.
      lock.unshared.catch(() => {});
    }
    return lock;
  }
}

/**
 * Marks the lock file as taken once more: its mtime (whole seconds, so exact
 * through a double) set to now's second, or one past its last mark where that
 * is not earlier, so that every taking changes it. Metadata only: nothing for
 * ext4 to flush on close.
 */
function markTaken(fd: number): void {
  const last = Number(fstatSync(fd, { bigint: true }).mtimeNs / 1_000_000_000n);
  const next = Math.max(Math.floor(Date.now() / 1000), last + 1);
  futimesSync(fd, next, next);
}

/** The lock file's mark (which file, and when it was last taken: markTaken); undefined when there is no lock file. */
export function lockMark(topology: string): string | undefined {
  try {
    const { dev, ino, mtimeNs } = statSync(lockPath(topology), { bigint: true });
    return `${dev}:${ino}:${mtimeNs}`;
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/**
 * Throws TopologyLockedError while another process applies or destroys
 * `topology`: what a plan reads then is half made (veths whose far end is not
 * up yet, namespaces not yet marked) and lists changes nobody needs, which
 * apply would show for confirmation before finding the lock taken. Read from
 * /proc/locks rather than by trying the lock, whose probe could make that
 * apply's own try fail; a lab with no lock file has nothing under way (and a
 * plan leaves none behind).
 */
export function assertUnlocked(topology: string): void {
  const file = lockFile(topology);
  if (file !== undefined) refuseHolder(topology, flockHolder(file));
}

/** The file of the topology's lock; undefined when there is none (nothing under way, and a plan leaves none behind). */
export function lockFile(topology: string): FileIdentity | undefined {
  try {
    return identityOfPath(lockPath(topology));
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/**
 * Whether an apply or destroy of `topology` holds its lock now. The file alone tells nothing: one killed before its
 * end (a Ctrl-C before any change, whose process the signal ended) leaves it, held by no one.
 */
export function lockHeld(topology: string): boolean {
  const file = lockFile(topology);
  if (file === undefined) return false;
  const holder = flockHolder(file);
  return holder !== "" && !exited(holder);
}

/** Throws TopologyLockedError when `holder` (a pid as /proc/locks gives it, "" for none) is a live process. */
export function refuseHolder(topology: string, holder: string): void {
  if (holder !== "" && !exited(holder)) throw new TopologyLockedError(topology, holder);
}

/** Where the topology's lock file is: the name becomes a file name, so only a lab's name, never a path. */
export function lockPath(topology: string): string {
  return `${LOCK_DIR}/${labName("topology", topology)}.lock`;
}
