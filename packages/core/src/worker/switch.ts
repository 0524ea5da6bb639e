/**
 * Entering and leaving namespaces on this thread. The namespace to return to
 * is captured here, on the thread that switches, right before it switches.
 */
import { closeSync, openSync } from "node:fs";
import { identityOfFd, identityOfPath, keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import type { NsHandleJSON } from "../namespace/handle.js";

export const SELF_NS = "/proc/thread-self/ns/net";

/** What the caller gets for a descriptor handed out as an NsHandle: with the namespace's id, which `ns.handle` checks against. */
export function handleJSON(fd: number): NsHandleJSON {
  const id = libc.nsId(fd);
  return { fd, ...identityOfFd(fd), ...(id !== undefined && { id }) };
}

/** "dev:ino" of the namespace an open descriptor refers to: how sockets are keyed. */
export function keyOf(fd: number): string {
  return keyOfIdentity(identityOfFd(fd));
}

/** "dev:ino" of the namespace a path (e.g. a bind mount in /run/netns) refers to. */
export function keyOfPath(path: string): string {
  return keyOfIdentity(identityOfPath(path));
}

/** A descriptor for this thread's current namespace. */
export function openCurrent(): number {
  return openSync(SELF_NS, "r");
}

/**
 * Runs `fn` inside the namespace `targetFd` refers to and comes back.
 * `returned` is false when the thread could not get back: the caller must then
 * never use this thread again.
 */
export async function within<T>(
  targetFd: number,
  fn: () => T | Promise<T>,
): Promise<{ returned: boolean; value?: T; error?: unknown; returnError?: unknown }> {
  const origin = openCurrent();
  try {
    libc.setns(targetFd, libc.CLONE_NEWNET, "enter");
    return await comeBack(origin, fn);
  } finally {
    closeSync(origin);
  }
}

/** Runs `fn` (which may switch this thread's namespace), then returns the thread to `origin`; setns succeeding is what "returned" means. */
export async function comeBack<T>(
  origin: number,
  fn: () => T | Promise<T>,
): Promise<{ returned: boolean; value?: T; error?: unknown; returnError?: unknown }> {
  let outcome: { value?: T; error?: unknown };
  try {
    outcome = { value: await fn() };
  } catch (error) {
    outcome = { error };
  }
  try {
    libc.setns(origin, libc.CLONE_NEWNET, "return");
    return { returned: true, ...outcome };
  } catch (returnError) {
    return { returned: false, returnError, ...outcome };
  }
}
