/**
 * An existing provider's namespace opened on the calling thread, for work
 * that needs no thread to enter it (reads by nsid, programs started through
 * nsenter): the file is checked as a worker checks it (entry.ts), and
 * failures read as nsDo's do (the pool reports a namespace that is not
 * there, the worker one it cannot enter).
 */
import { NamespaceEnterError, NotFoundError } from "../errors.js";
import { identityOfFd, identityOfPath, keyOfIdentity } from "../ffi/identity.js";
import { existingNsProvider } from "../validate/providers.js";
import { openProviderNs } from "./entry.js";
import type { NsProvider } from "./providers.js";

export interface OpenedTarget {
  /** Untracked: the caller closes it (libc.close). */
  fd: number;
  /** It is the calling thread's own namespace. */
  own: boolean;
}

export function openTarget(provider: NsProvider): OpenedTarget {
  const checked = existingNsProvider("provider", provider);
  let fd: number;
  try {
    fd = openProviderNs(checked, process.pid);
  } catch (err) {
    if (err instanceof NotFoundError) throw err;
    throw new NamespaceEnterError(checked.kind, true, err);
  }
  return { fd, own: isOwn(fd) };
}

/** Whether the namespace open as `fd` is the calling thread's own. */
export function isOwn(fd: number): boolean {
  return keyOfIdentity(identityOfFd(fd)) === keyOfIdentity(identityOfPath("/proc/thread-self/ns/net"));
}
