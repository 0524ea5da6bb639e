/**
 * Namespace providers: which network namespace work runs in. They are plain
 * data, because they cross into worker threads, validated when built and
 * again by the worker, by the same rules (validate/providers.ts).
 */
import { nsProvider } from "../validate/providers.js";
import { shown, ValidationError } from "../errors.js";
import { readError, readFields } from "../validate/shape.js";
import { DEFAULT_NETNS_DIR, HANDLE_CLOSED } from "./paths.js";

export { DEFAULT_NETNS_DIR, HANDLE_CLOSED, nsPath } from "./paths.js";

export type NsProvider =
  | { readonly kind: "now" }
  | { readonly kind: "name"; readonly name: string; readonly dir: string }
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "process"; readonly pid: number }
  | { readonly kind: "thread"; readonly pid: number; readonly tid: number }
  | {
      readonly kind: "handle";
      readonly fd: number;
      /**
       * The namespace the handle was on (its nsfs device and inode, and NS_GET_ID where the kernel has it): the
       * descriptor's number is only trusted while it still refers to that namespace.
       */
      readonly dev?: number;
      readonly ino?: number;
      readonly id?: string;
    }
  | { readonly kind: "new" }
  | {
      readonly kind: "newNamed";
      readonly name: string;
      readonly dir: string;
      /** Set on the new namespace's loopback, brought up, before its name appears: a name that exists always carries it. */
      readonly loAlias?: string;
    }
  | { readonly kind: "custom"; readonly module: string; readonly export: string; readonly args?: unknown };

/** Providers that name an existing namespace by a path, and so can be resolved without running code. */
export type ExistingNsProvider = Exclude<NsProvider, { kind: "new" | "newNamed" | "custom" }>;

/** The caller's namespace: the one the main thread (which never switches) is in. */
export function now(): NsProvider {
  return { kind: "now" };
}

/** A named namespace, as `ip netns` names them: `${dir}/${name}`, dir defaulting to /run/netns. */
export function name(nsName: string, dir: string = DEFAULT_NETNS_DIR): NsProvider {
  return nsProvider("", { kind: "name", name: nsName, dir });
}

/** Any file that refers to a network namespace (a bind mount, /proc/PID/ns/net, ...). */
export function path(nsPath: string): NsProvider {
  return nsProvider("", { kind: "path", path: nsPath });
}

/** The namespace of a process. */
export function processNs(pid: number): NsProvider {
  return nsProvider("", { kind: "process", pid });
}

/** The namespace of one thread of a process. */
export function thread(pid: number, tid: number): NsProvider {
  return nsProvider("", { kind: "thread", pid, tid });
}

/**
 * The providers ns.handle made, each with its handle: one closed since is
 * refused when the provider is given, and whatever opens the descriptor
 * checks it still refers to the handle's namespace (a copy of the provider,
 * or a close while the task was on its way, has no tie to the handle).
 */
const handles = new WeakMap<object, object>();

/** Whether `p` was made by ns.handle from a handle closed since. */
export function fromClosedHandle(p: object): boolean {
  return (handles.get(p) as { closed?: unknown } | undefined)?.closed === true;
}

/**
 * The namespace an open NsHandle refers to. A closed one is refused: its
 * descriptor's number is the next open()'s, which may be another namespace's;
 * so is the provider once the handle is closed (see fromClosedHandle).
 */
export function handle(h: { readonly fd: number; readonly dev?: number; readonly ino?: number; readonly id?: string }): NsProvider {
  if (typeof h !== "object" || h === null) throw new ValidationError("handle", `must be an NsHandle, got ${shown(h)}`);
  let provider: NsProvider;
  try {
    // Duck-typed (`closed`, not instanceof): the class holds koffi, which the providers do not load, and another copy of core has its own.
    if ((h as { closed?: unknown }).closed === true) throw new ValidationError("handle", HANDLE_CLOSED);
    const { fd, dev, ino, id } = h;
    // A bare { fd } (a descriptor the caller opened) carries no namespace to check against.
    provider = nsProvider("handle", { kind: "handle", fd, ...(dev !== undefined && { dev, ino }), ...(id !== undefined && { id }) });
  } catch (err) {
    throw readError("handle", err);
  }
  handles.set(provider, h);
  return provider;
}

/** A brand-new anonymous namespace; nsDo returns a handle that keeps it alive until closed. */
export function create(): NsProvider {
  return { kind: "new" };
}

/**
 * A brand-new named namespace, made as `ip netns add` makes it. With
 * `loAlias`, its loopback is up and carries that alias before the name
 * appears in the mount dir, so whoever finds the name finds the mark too (a
 * process killed in between leaves no name, only at most an empty stale entry).
 */
export function createNamed(nsName: string, dir: string = DEFAULT_NETNS_DIR, options: { loAlias?: string } = {}): NsProvider {
  const { loAlias } = readFields("options", options, ["loAlias"]);
  return nsProvider("", { kind: "newNamed", name: nsName, dir, ...(loAlias !== undefined && { loAlias }) });
}

/**
 * A namespace chosen by your own code: the worker imports `module` and calls
 * `exportName(args)`, which returns the path of a namespace file.
 */
export function custom(module: string, exportName: string, args?: unknown): NsProvider {
  return nsProvider("", { kind: "custom", module, export: exportName, ...(args !== undefined && { args }) });
}

export function isExisting(p: NsProvider): p is ExistingNsProvider {
  return p.kind !== "new" && p.kind !== "newNamed" && p.kind !== "custom";
}
