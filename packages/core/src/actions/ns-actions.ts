/**
 * Namespace actions: what nsDo does inside a namespace. They are plain data
 * (they cross into worker threads), validated when built and again by the
 * worker, by the same rules (validate/actions.ts), and typed by what
 * they return, so `nsDo(p, links(), handle())` resolves to `[Link[], NsHandle]`.
 */
import type { MessagePort } from "node:worker_threads";
import type { Address, Link } from "@neslink/codec-wasm";
import { shown, ValidationError } from "../errors.js";
import type { LinkProvider, LinkRef } from "../links/providers.js";
import type { NsHandle } from "../namespace/handle.js";
import { DEFAULT_NETNS_DIR, type ExistingNsProvider, type NsProvider } from "../namespace/providers.js";
import { nsAction } from "../validate/actions.js";
import { listingFamily } from "../validate/net.js";
import { readFields } from "../validate/shape.js";
import * as v from "../validate/validate.js";
import type { LinkAction, LinkActionSpec, LinkResultsOf } from "./link-actions.js";
import { expand } from "./nescript.js";
import type { RouteActionSpec } from "./route-actions.js";

declare const resultType: unique symbol;

/** A named namespace that was created or deleted. */
export interface NamedNs {
  name: string;
  path: string;
}

/** What a command run inside a namespace did. */
export interface ExecResult {
  pid: number;
  /** Exit status, or null if a signal ended it. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How a program is started inside a namespace (`na.exec`, `spawn`). */
export interface SpawnOptions {
  /** Extra environment variables (the worker's environment is inherited). */
  env?: Record<string, string>;
  /** Working directory (default: the process's). */
  cwd?: string;
  /**
   * Start the program in a process group (and session) of its own, and send
   * every signal (`kill`, and the kills of maxBuffer, timeoutMs and exec's
   * `signal`) to the whole group: what the program started in the background
   * is signalled with it, as a terminal's hang-up reaches a whole job. If
   * this process dies (even of SIGKILL) while the program runs, the whole
   * group is killed, not only the program (a guard process waits for that,
   * worker/group-guard.ts). For programs whose stdio are piped: one given
   * this process's terminal (`stdio: "inherit"`) must stay in its foreground
   * group, and is refused.
   */
  group?: boolean;
}

/**
 * Where a spawned program's standard input, output and error go: "pipe" (the
 * default), the ExecProcess's streams; "inherit", this process's own, so that
 * a terminal stays one (an interactive program works, as with `ip netns
 * exec`), and the ExecProcess's streams carry nothing; "merged", as "pipe"
 * but its output and error are one pipe (a shell's `2>&1`): the ExecProcess's
 * stdout carries both, in the order the program wrote them, and its stderr
 * nothing (two pipes, each read when it has data, lose that order).
 */
export type SpawnStdio = "pipe" | "inherit" | "merged";

/** `na.exec`: the program runs to its end and its output is collected. */
export interface ExecOptions extends SpawnOptions {
  /** Written to the program's standard input (default: none, the program reads end-of-file). */
  input?: string;
  /**
   * Kill the program (SIGKILL) after this long; the action then fails with
   * ERR_EXEC_TIMEOUT. No limit by default: as with `ip netns exec`, how long
   * a program runs is the caller's business.
   */
  timeoutMs?: number;
  /**
   * Most bytes of stdout and stderr together that are kept (default 16 MiB).
   * Past it the program is killed and the action fails with ERR_EXEC_MAX_BUFFER.
   */
  maxBuffer?: number;
}

/** What linkDo returns: the link as the kernel reports it after the actions, and each action's result. */
export interface LinkDoResult<R extends unknown[] = unknown[]> {
  link: Link;
  results: R;
}

export type NsActionSpec =
  | { readonly kind: "links" }
  | { readonly kind: "getLink"; readonly link: LinkRef }
  | { readonly kind: "setLinkNs"; readonly link: LinkRef; readonly ns: ExistingNsProvider }
  | { readonly kind: "link"; readonly link: LinkProvider; readonly actions: readonly LinkActionSpec[] }
  | { readonly kind: "addrs"; readonly family: number }
  | { readonly kind: "deleteGroup"; readonly group: number }
  | { readonly kind: "sysctl"; readonly name: string; readonly value?: string }
  | RouteActionSpec
  | { readonly kind: "handle" }
  | { readonly kind: "newNamed"; readonly name: string; readonly dir: string }
  | {
      readonly kind: "deleteNamed";
      readonly name: string;
      readonly dir: string;
      readonly loAliasPrefix?: string;
      readonly keepGroup?: number;
      readonly emptyFirst?: boolean;
      readonly ownId?: string;
      readonly foreignId?: string;
      readonly ownUnlessPeered?: boolean;
    }
  /**
   * With `port` (see spawn in exec.ts) the program's output and exit go over
   * that port as they come (with `stdio: "inherit"`, only its exit: its stdio
   * are the process's own); without, they are collected into an ExecResult.
   */
  | {
      readonly kind: "exec";
      readonly argv: readonly string[];
      readonly options: ExecOptions;
      readonly port?: MessagePort;
      readonly stdio?: SpawnStdio;
      /** Without `port`: the caller's exec sends the collected program's signals over it (its `signal` aborted). */
      readonly control?: MessagePort;
    }
  | { readonly kind: "custom"; readonly module: string; readonly export: string; readonly args?: unknown };

/** An action whose result has type R. */
export type NsAction<R = unknown> = NsActionSpec & { readonly [resultType]?: R };

export type ResultOf<A> = A extends NsAction<infer R> ? R : never;
export type ResultsOf<A extends readonly NsAction[]> = { -readonly [K in keyof A]: ResultOf<A[K]> };

/** Every link in the namespace, as the kernel reports it. */
export function links(): NsAction<Link[]> {
  return { kind: "links" };
}

/** One link, found by a link provider; fails with ERR_LINK_NOT_FOUND if it is not there. */
export function getLink(link: LinkRef): NsAction<Link> {
  return nsAction("", { kind: "getLink", link });
}

/** Moves a link into another (existing) namespace; returns it as that namespace sees it. Its addresses are dropped by the kernel. */
export function setLinkNs(link: LinkRef, ns: NsProvider): NsAction<Link> {
  return nsAction("", { kind: "setLinkNs", link, ns });
}

/**
 * linkDo as one action: get (or create) a link, then run link actions on it.
 * Many of these in one nsDo share the namespace's socket.
 */
export function link<const A extends readonly LinkAction[]>(
  provider: LinkProvider,
  ...actions: A
): NsAction<LinkDoResult<LinkResultsOf<A>>> {
  return nsAction("", { kind: "link", link: provider, actions });
}

/** Every address in the namespace. */
export function addrs(family: 4 | 6 | "all" = "all"): NsAction<Address[]> {
  return { kind: "addrs", family: listingFamily("family", family) };
}

/**
 * Deletes every link in an IFLA_GROUP with one request: the kernel's fast
 * path (deleting links one by one costs ~16 ms each in RCU waits). A group
 * with no link in it fails with ERR_LINK_NOT_FOUND.
 */
export function deleteGroup(group: number): NsAction<null> {
  return nsAction("", { kind: "deleteGroup", group });
}

/**
 * Reads (value omitted) or writes a sysctl of the namespace, e.g.
 * "net.ipv4.ip_forward"; resolves with its value after the write.
 */
export function sysctl(name: string, value?: string | number): NsAction<string> {
  // Only a number is turned into text: String() of anything else writes what it happens to make ("[object Object]", "NaN").
  if (value !== undefined && typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value)))
    throw new ValidationError("value", `must be a string or a finite number, got ${shown(value)}`);
  return nsAction("", { kind: "sysctl", name, ...(value !== undefined && { value: String(value) }) });
}

/** A handle on the namespace (an open descriptor). Close it with `handle.close()`. */
export function handle(): NsAction<NsHandle> {
  return { kind: "handle" };
}

/** Creates a named namespace as `ip netns add` does; `ip netns list` shows it and `ip -n` uses it. */
export function createNamed(name: string, dir: string = DEFAULT_NETNS_DIR): NsAction<NamedNs> {
  return nsAction("", { kind: "newNamed", name, dir });
}

/** What na.deleteNamed removed: the entry, and the namespace mounted on it if there was one. */
export interface RemovedNs extends NamedNs {
  /**
   * No namespace was mounted on the entry: a crash's empty file (see claim.ts) was removed, and no namespace with it.
   * `ns del` of such a name said it had deleted a namespace.
   */
  stale: boolean;
}

/** What a guarded na.deleteNamed removed: the entry, and the namespace that was mounted on it. */
export interface DeletedNs extends RemovedNs {
  /** The alias its loopback carried; none when `ownId` vouched for it, and it was not read. */
  loAlias?: string;
  /**
   * Links `keepGroup` or `emptyFirst` asked to delete first that the kernel refuses to delete (EOPNOTSUPP: a device with no
   * rtnetlink delete, such as a physical NIC or VF moved in), by name: left to go with the namespace, as the kernel
   * moves such a device back to the initial namespace when it destroys this one. None when all were deleted.
   */
  linksLeft?: string[];
  /** Its nsfs inode (as /proc/PID/ns/net shows it: net:[ino]); the kernel gives it to another namespace once this one is freed. */
  ino?: number;
  /** Its NS_GET_ID (in decimal), never reused in a boot: tells its processes from those of a later namespace with its inode. */
  id?: string;
}

export interface DeleteNamedOptions {
  /**
   * Delete it only if it is a namespace whose loopback's alias starts with
   * this (an owner's mark, as createNamed's loAlias sets it); anything else
   * there, or nothing, is left alone and the action returns null. The check
   * and the deletion are one step of the worker. Its unmount deletes the
   * namespace: the empty file someone else (a prune) removes before its
   * unlink does not fail it, as it fails a plain deletion racing another;
   * and one someone else (`ns del`, ip) unmounts first is theirs: null.
   */
  loAliasPrefix?: string;
  /**
   * With loAliasPrefix: first delete, synchronously, every link but lo that
   * is not in this IFLA_GROUP. The kernel destroys a namespace
   * asynchronously: a veth whose far end is in another namespace, or a vxlan
   * whose socket is, would otherwise outlive the call until it has. One the
   * kernel will not delete (EOPNOTSUPP) goes with the namespace: see
   * DeletedNs.linksLeft.
   */
  keepGroup?: number;
  /**
   * With loAliasPrefix, instead of keepGroup: first delete every link but lo, the lab's own too (a veth whose far end
   * is in a namespace that stays goes at once, not when the kernel destroys this one). Those the kernel will not
   * delete go with the namespace, as with keepGroup.
   */
  emptyFirst?: boolean;
  /**
   * With loAliasPrefix: the namespace id (NS_GET_ID, in decimal) recorded as
   * the caller's at this name. A namespace there with this id is the
   * caller's without a read of its alias (ids are never reused in a boot),
   * and is deleted with none of its links deleted first; any other is
   * checked as without it.
   */
  ownId?: string;
  /** With loAliasPrefix: an id recorded as someone else's at this name; a namespace there with it is left alone unread (null). */
  foreignId?: string;
  /**
   * With ownId: a namespace the calling thread's namespace gives an nsid is read all the same. A link there points
   * into it (a veth whose far end is in it, once the caller's namespace has dumped its links), which a record
   * written before it was made cannot know of, and which would outlive the unmount until the kernel destroys it; or
   * a device was moved into it from there (the kernel gives the namespace it moves one into an id), such as a NIC
   * the kernel will not delete, to be named in `linksLeft`.
   */
  ownUnlessPeered?: boolean;
}

/** Deletes a named namespace as `ip netns del` does (the kernel frees it once nothing holds it). */
export function deleteNamed(name: string, dir?: string): NsAction<RemovedNs>;
export function deleteNamed(name: string, dir: string, options: DeleteNamedOptions & { loAliasPrefix: string }): NsAction<DeletedNs | null>;
export function deleteNamed(name: string, dir: string = DEFAULT_NETNS_DIR, options: DeleteNamedOptions = {}): NsAction<DeletedNs | null> {
  // Known fields only: a misspelt loAliasPrefix dropped here would make a guarded delete an unguarded one.
  const { loAliasPrefix, keepGroup, emptyFirst, ownId, foreignId, ownUnlessPeered } = readFields("options", options, [
    "loAliasPrefix",
    "keepGroup",
    "emptyFirst",
    "ownId",
    "foreignId",
    "ownUnlessPeered",
  ]);
  return nsAction("", {
    kind: "deleteNamed",
    name,
    dir,
    ...(loAliasPrefix !== undefined && { loAliasPrefix }),
    ...(keepGroup !== undefined && { keepGroup }),
    ...(emptyFirst !== undefined && { emptyFirst }),
    ...(ownId !== undefined && { ownId }),
    ...(foreignId !== undefined && { foreignId }),
    ...(ownUnlessPeered !== undefined && { ownUnlessPeered }),
  });
}

/**
 * Runs a program inside the namespace (no shell; argv[0] is looked up in
 * PATH, a missing one fails with ENOENT) and collects its output. The worker
 * is free for other work while the program runs; actions after this one run
 * once it has ended. For output as it comes, use `spawn`.
 */
export function exec(argv: readonly string[], options: ExecOptions = {}): NsAction<ExecResult> {
  return nsAction("", { kind: "exec", argv, options });
}

/**
 * Runs a small templated shell script inside the namespace (the seed's
 * NEScript): each `{{name}}` or `{{.Name}}` is replaced by `vars[name]`,
 * quoted as one word; any other `{{...}}` is a ValidationError.
 */
export function script(template: string, vars: Record<string, string | number> = {}, options: ExecOptions = {}): NsAction<ExecResult> {
  return exec(["/bin/sh", "-e", "-c", expand(v.text("script", template, 1 << 17), vars)], options);
}

/**
 * Your own code, run on the worker thread while it is inside the namespace:
 * the worker imports `module` (absolute path, file: URL or package name) and
 * awaits `exportName(args, context)`. Its result must be structured-cloneable.
 */
export function custom<R = unknown>(module: string, exportName: string, args?: unknown): NsAction<R> {
  return nsAction("", { kind: "custom", module, export: exportName, ...(args !== undefined && { args }) });
}
