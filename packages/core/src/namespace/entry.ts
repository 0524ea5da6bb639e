/**
 * What a file that should name a network namespace really is, found before
 * anything enters, unmounts or deletes it.
 *
 * A mount dir (/run/netns or another) can hold anything: a symlink to some
 * other mount, a FIFO (opening it waits for a writer, forever), a directory,
 * a plain file, or the empty file a killed creator left with no namespace
 * mounted on it. An entry is checked without following it and without
 * blocking: statx (as lstat) refuses everything but a regular file before it
 * is opened (opening a device can have side effects), the open uses
 * O_NONBLOCK|O_NOFOLLOW, and the open descriptor must be on nsfs and a
 * network namespace (NS_GET_NSTYPE). Callers then use that descriptor, never
 * the path again, so nothing can be swapped in between.
 *
 * Stale entries (an empty regular file, not a mount point, one link) are
 * what a crash between creating the file and bind-mounting the namespace
 * leaves. Whoever creates, takes over or removes
 * one holds an exclusive flock on it for the whole step and first checks the
 * path still leads to that very file: two neslink creators, a creator and a
 * prune, never act on the same file at once.
 */
import { unlinkSync } from "node:fs";
import { hasErrno } from "../errno.js";
import { NeslinkError, NotANamespaceError, NotFoundError, ValidationError } from "../errors.js";
import {
  type FileIdentity,
  type FileStatus,
  identityOfEntry,
  identityOfFd,
  S_IFREG,
  sameFile,
  statusOfFd,
  statusOfPath,
  typeName,
} from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { sleep } from "../sleep.js";
import { sleepSync } from "../sleep-sync.js";
import { flockedByAnyone, flockHolder } from "./flocked.js";
import { HANDLE_CLOSED, nsPath } from "./paths.js";
import type { ExistingNsProvider } from "./providers.js";

export type EntryState =
  | { kind: "namespace" }
  /** An empty file with no namespace mounted on it: a killed creator's (or deleter's) leftover. */
  | { kind: "stale" }
  | { kind: "missing" }
  | { kind: "other"; reason: string };

/** Why a file of this type is no namespace; undefined for a regular file, the only kind that may be opened. */
function refusedType({ type }: FileStatus): string | undefined {
  return type === S_IFREG ? undefined : typeName(type);
}

/**
 * nsfs's device number, learnt from the first descriptor fstatfs shows is on
 * nsfs. Every namespace file lives on nsfs's one superblock, so from then on
 * the device number statx gives anyway tells nsfs apart, without a system call.
 */
let nsfsDev: number | undefined;

function onNsfs(fd: number, st: FileStatus): boolean {
  if (nsfsDev !== undefined) return st.dev === nsfsDev;
  if (libc.fsType(fd) !== libc.NSFS_MAGIC) return false;
  nsfsDev = st.dev;
  return true;
}

/** What an open descriptor on an entry (of a mount dir unless `followed`) refers to, judged by its status `st`. */
function stateOfFd(fd: number, st: FileStatus, followed: boolean): EntryState {
  // The entry may have been replaced between the first look and the open: judge what was opened.
  const refused = refusedType(st);
  if (refused) return { kind: "other", reason: refused };
  if (onNsfs(fd, st)) {
    return libc.nsType(fd) === libc.CLONE_NEWNET ? { kind: "namespace" } : { kind: "other", reason: "a namespace of another type" };
  }
  // Unlinked since it was opened (a delete racing this look): nothing is at the path any more.
  if (st.nlink === 0) return { kind: "missing" };
  if (st.size !== 0) return { kind: "other", reason: "a file that is not a namespace" };
  // Another file mounted on the entry, or a hard link to someone's file, is not a leftover of ours.
  if (followed || st.mountRoot || st.nlink !== 1) return { kind: "other", reason: "an empty file that is not a namespace" };
  return { kind: "stale" };
}

/** An entry opened to be judged: `fd` (when it could be opened, with its status) is untracked and the caller's to close. */
export type Opened = { fd: number; status: FileStatus; state: EntryState } | { fd?: undefined; state: EntryState };

/**
 * Opens `path` read-only without blocking, and says what it is. `follow` is
 * for namespace files named by the caller (/proc/PID/ns/net is a magic link);
 * entries of a mount dir are never followed.
 */
export function openChecked(path: string, follow: boolean): Opened {
  let st: FileStatus;
  try {
    st = statusOfPath(path, follow);
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return { state: { kind: "missing" } };
    throw err;
  }
  const refused = refusedType(st);
  if (refused) return { state: { kind: "other", reason: refused } };
  let fd: number;
  try {
    fd = libc.openWith(path, libc.O_RDONLY | libc.O_NONBLOCK | (follow ? 0 : libc.O_NOFOLLOW));
  } catch (err) {
    if (hasErrno(err, "ENOENT")) return { state: { kind: "missing" } };
    if (hasErrno(err, "ELOOP")) return { state: { kind: "other", reason: "a symbolic link" } };
    throw err;
  }
  try {
    const status = statusOfFd(fd);
    return { fd, status, state: stateOfFd(fd, status, follow) };
  } catch (err) {
    libc.close(fd);
    throw err;
  }
}

/** The error for an entry that is not a namespace: NotFoundError when there is none, NotANamespaceError otherwise. */
export function refusal(path: string, state: EntryState): Error {
  switch (state.kind) {
    case "missing":
      return new NotFoundError("namespace", `no namespace at ${path}`);
    case "stale":
      // Also what a delete leaves for an instant between its unmount and its unlink: no lock can cover that (the file is under the mount).
      return new NotANamespaceError(
        path,
        "no namespace is mounted on it (one being deleted right now, or a leftover of a killed process, which prune removes)",
      );
    default:
      return new NotANamespaceError(path, state.kind === "other" ? state.reason : state.kind);
  }
}

/**
 * A descriptor on the network namespace at `path`, checked as described
 * above; NotFoundError if there is nothing there, NotANamespaceError if it is
 * anything else. Untracked: the caller closes it with libc.close.
 */
export function openNamespace(path: string, { follow = false } = {}): number {
  for (let look = 0; ; look++) {
    const opened = openChecked(path, follow);
    if (opened.state.kind === "namespace" && opened.fd !== undefined) return opened.fd;
    if (opened.fd === undefined) throw refusal(path, opened.state);
    libc.close(opened.fd);
    if (opened.state.kind !== "stale") throw refusal(path, opened.state);
    // An empty entry someone holds locked is being made into a namespace (or removed) right now: none is there yet.
    if (flockedByAnyone(opened.status))
      throw new NotFoundError("namespace", `no namespace at ${path} (one is being created or removed there)`);
    // Its creator may have mounted the namespace and let go since the open: look once more at what the path leads to.
    if (look > 0 || stillAt(path, opened.status)) throw refusal(path, opened.state);
  }
}

/**
 * A checked descriptor on a provider's namespace (see openNamespace): an entry
 * of a mount dir is never followed. A handle's is also checked to be the
 * handle's namespace: once the handle is closed its number is the next
 * open()'s. Opened first, then checked, so a close racing this cannot swap it.
 */
export function openProviderNs(provider: ExistingNsProvider, mainPid: number): number {
  const path = nsPath(provider, mainPid);
  if (provider.kind !== "handle" || provider.dev === undefined) return openNamespace(path, { follow: provider.kind !== "name" });
  let fd: number;
  try {
    fd = openNamespace(path, { follow: true });
  } catch (err) {
    // Nothing, or a file that is no namespace, at the number: the handle's namespace is not there either.
    if (err instanceof NotFoundError || err instanceof NotANamespaceError) throw handleClosed(provider.fd);
    throw err;
  }
  if (isHandlesNamespace(provider, fd)) return fd;
  libc.close(fd);
  throw handleClosed(provider.fd);
}

type HandleProvider = Extract<ExistingNsProvider, { kind: "handle" }>;

/** By NS_GET_ID where the kernel has it: an inode number is given again once its namespace is freed. */
function isHandlesNamespace(provider: HandleProvider, fd: number): boolean {
  const id = provider.id === undefined ? undefined : libc.nsId(fd);
  if (id !== undefined) return id === provider.id;
  const { dev, ino } = statusOfFd(fd);
  return dev === provider.dev && ino === provider.ino;
}

function handleClosed(fd: number): ValidationError {
  return new ValidationError("handle", `${HANDLE_CLOSED} (descriptor ${fd} no longer refers to the handle's namespace)`);
}

/** What the entry at `path` is (never followed, never blocking), with its status when it could be opened. */
export function entryLook(path: string): { state: EntryState; status?: FileStatus } {
  const opened = openChecked(path, false);
  if (opened.fd === undefined) return { state: opened.state };
  libc.close(opened.fd);
  return { state: opened.state, status: opened.status };
}

/** What the entry at `path` is (never followed, never blocking). */
export function entryState(path: string): EntryState {
  return entryLook(path).state;
}

/** Whether the entry at `path` is still the file `opened` (a descriptor's identity): not replaced, removed, nor mounted over. */
function stillAt(path: string, opened: FileIdentity): boolean {
  try {
    return sameFile(identityOfEntry(path), opened);
  } catch {
    return false;
  }
}

/**
 * Locks the file `fd` is open on, which the caller judged stale or has just
 * made, and checks it is still the entry at `path`; false if another open
 * file holds the lock or the entry changed (the caller then closes `fd`).
 * The lock lasts until `fd` is closed.
 */
export function lockStale(path: string, fd: number, identity: FileIdentity = identityOfFd(fd)): boolean {
  return libc.tryLock(fd, libc.LOCK_EX) && stillAt(path, identity);
}

/**
 * Opens the stale entry at `path` and locks it; undefined if it is not (or no
 * longer) one that may be taken, `accept` refuses it, or it is not the file
 * `seen` (an earlier look's) any more.
 */
export function openStale(path: string, accept: (status: FileStatus) => boolean = () => true, seen?: FileIdentity): number | undefined {
  const opened = openChecked(path, false);
  if (opened.fd === undefined) return undefined;
  const { fd, status, state } = opened;
  if (state.kind === "stale" && (seen === undefined || sameFile(seen, status)) && accept(status) && lockStale(path, fd, status)) return fd;
  libc.close(fd);
  return undefined;
}

/**
 * Removes the entry at `path` if it is stale (and `accept` takes it, and it is
 * the file `seen`, when given); says whether it did. An entry someone is
 * creating a namespace on right now (locked) is left alone; so is one
 * another tool mounted a namespace on (EBUSY) or removed (ENOENT) between
 * this look and the unlink: ip, which takes no lock, makes and deletes an
 * entry in two steps.
 */
export function removeStale(path: string, accept?: (status: FileStatus) => boolean, seen?: FileIdentity): boolean {
  const fd = openStale(path, accept, seen);
  if (fd === undefined) return false;
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if (hasErrno(err, "EBUSY") || hasErrno(err, "ENOENT")) return false;
    throw err;
  } finally {
    libc.close(fd);
  }
}

/** How long a delete waits for an entry's lock: its holders (a create, a delete, a prune) hold it for one step. */
export const LOCKED_WAIT_MS = 5000;

/** How long a wait for a lock pauses between its tries. */
const RETRY_MS = 2;

/** Tries to lock `fd` until `ms` have passed, yielding between tries the pause it asks for; returns whether it got it. */
export function* lockTries(fd: number, ms: number, operation: number): Generator<number, boolean> {
  // process.hrtime, not performance.now: the global `performance` loads perf_hooks (11 modules) at its first use.
  const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  while (!libc.tryLock(fd, operation)) {
    if (process.hrtime.bigint() >= until) return false;
    yield RETRY_MS;
  }
  return true;
}

/** Runs `tries` to its end, blocking this thread for each pause it asks for (as the steps it waits for block theirs). */
export function paused<T>(tries: Generator<number, T>): T {
  for (let t = tries.next(); ; t = tries.next()) {
    if (t.done) return t.value;
    sleepSync(t.value);
  }
}

/** `paused`, its pauses on a timer: for a caller whose event loop goes on meanwhile (pruneNamedAsync, destroy). */
export async function pausedAsync<T>(tries: Generator<number, T>): Promise<T> {
  for (let t = tries.next(); ; t = tries.next()) {
    if (t.done) return t.value;
    await sleep(t.value);
  }
}

/**
 * Locks `fd` (`operation`: LOCK_EX or LOCK_SH), waiting up to `ms` for its holder (a few ms at a time, this thread
 * blocked as the steps it waits for are); false past that.
 */
export function lockedWithin(fd: number, ms: number, operation = libc.LOCK_EX): boolean {
  return paused(lockTries(fd, ms, operation));
}

/** The error for `file` (at `path`) that someone kept locked past LOCKED_WAIT_MS, naming them. */
export function heldTooLong(path: string, file: FileIdentity): NeslinkError {
  const holder = flockHolder(file);
  return new NeslinkError("EBUSY", `${path}: locked by ${holder ? `pid ${holder}` : "another process"} for over ${LOCKED_WAIT_MS} ms`);
}

/** What a delete's unlink found: it removed the file; the file was gone (someone else removed it); something not ours to remove is there now (a namespace mounted since). */
export type UnlinkOutcome = "removed" | "gone" | "kept";

/**
 * Unlinks the stale entry at `path` for a delete, which must learn whether
 * it was the one to remove it (see namespace/remove.ts). An entry someone
 * holds locked is waited for rather than judged: a delete or prune holding
 * it is about to unlink it, a create about to mount on it, and what they did
 * decides the outcome. Each holds the lock for one step of its own, and a
 * kill releases it. With `expected`, only that file is removed (another one
 * at the path is "gone": someone removed ours and made this one since).
 */
export function unlinkStale(path: string, expected?: FileIdentity): UnlinkOutcome {
  let ours = expected;
  for (;;) {
    const opened = openChecked(path, false);
    if (opened.fd === undefined) return opened.state.kind === "missing" ? "gone" : "kept";
    const { fd, status, state } = opened;
    try {
      if (state.kind === "missing") return "gone";
      if (state.kind !== "stale") return "kept";
      // Another empty file at the path: ours was removed, and someone made this one since.
      if (ours !== undefined && !sameFile(ours, status)) return "gone";
      ours = status;
      if (!lockedWithin(fd, LOCKED_WAIT_MS)) throw heldTooLong(path, status);
      // Unlinked, replaced or mounted over while we waited: look at what is there now.
      if (!stillAt(path, status)) continue;
      unlinkSync(path);
      return "removed";
    } finally {
      libc.close(fd);
    }
  }
}
