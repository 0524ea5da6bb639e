/**
 * Named namespaces made and removed by a worker thread: the claim, the mount
 * and the checks are namespace/claim.ts's and namespace/remove.ts's (shared
 * with the calling thread's way, named-here.ts); here the thread unshares
 * itself to make the namespace, and deletions are batched.
 */
import { closeSync } from "node:fs";
import type { LinkHead } from "@neslink/codec-wasm";
import type { DeletedNs, NamedNs, NsActionSpec } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { isUndeletable } from "../errors.js";
import { keyOfIdentity } from "../ffi/identity.js";
import * as libc from "../ffi/libc.js";
import { createNamedWith } from "../namespace/claim.js";
import { holdDir } from "../namespace/deleting.js";
import { openChecked } from "../namespace/entry.js";
import { check, closeDoomed, type Doomed, deleteNamed, remove, unmountConcurrent, unmountOutcome } from "../namespace/remove.js";
import { readLinkHeadsHere } from "../netlink/link-heads-here.js";
import { getNsid } from "../netlink/nsid.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { RunFailure } from "./failures.js";
import { getLinkRequest } from "./link-lookup.js";
import { comeBack, openCurrent, SELF_NS } from "./switch.js";

/** A namespace's loopback: the first link of every namespace. */
const LOOPBACK_INDEX = 1;

/**
 * Creates `${dir}/${name}` holding a brand-new namespace and leaves this
 * thread inside it (the task returns the thread home). On any failure nothing
 * is left behind.
 */
export function enterNewNamed(name: string, dir: string, loAlias?: string): NamedNs {
  return createNamedWith(name, dir, () => {
    libc.unshare(libc.CLONE_NEWNET);
    if (loAlias !== undefined) markLoopback(loAlias);
    return SELF_NS;
  });
}

/** Brings up the loopback of the thread's (new, still anonymous) namespace with `alias`, through a socket opened and closed here. */
function markLoopback(alias: string): void {
  const socket = new NetlinkSocket({ brief: true });
  try {
    socket.transact([{ request: { type: "setLink", byName: "lo", alias, up: true }, label: "RTM_NEWLINK (lo)" }]);
  } finally {
    socket.close();
  }
}

/** Creates a named namespace without moving this thread. On any failure nothing is left behind. */
export async function createNamed(name: string, dir: string): Promise<NamedNs> {
  const origin = openCurrent();
  try {
    const made = await comeBack(origin, () => enterNewNamed(name, dir));
    if (!made.returned) {
      if (made.value) deleteNamed(name, dir);
      throw made.returnError;
    }
    if (made.error !== undefined) throw made.error;
    return made.value as NamedNs;
  } finally {
    closeSync(origin);
  }
}

/** What guarded deletions need of the worker. */
export interface GuardAccess {
  /** Moves the thread into the namespace open as `fd` (the run's end brings it back). */
  enter(fd: number): void;
  /** `open()`, retried while the worker makes room when descriptors run out. */
  roomFor<T>(open: () => T): T;
  /** Records a descriptor the run keeps open as the worker's (closed with it if it dies); `close` closes it. */
  own(fd: number): number;
  close(fd: number): void;
  /**
   * How many deleted namespaces a run may hold open at once: the worker's share of the descriptors the pool gives
   * namespaces (each held one is a descriptor, and a lab has more nodes than a low limit has descriptors).
   */
  maxHolds: number;
}

/**
 * A guarded deletion's check (see na.deleteNamed's options): the namespace
 * at the entry, if it is one and its loopback carries an alias starting
 * with `loAliasPrefix`; undefined for anything else, which is left alone.
 * The links not in `keepGroup` (those not made to go with the namespace: a
 * veth whose far end is elsewhere, a vxlan whose socket is in another
 * namespace), or with `emptyFirst` all of them, are deleted now,
 * synchronously: the kernel destroys a namespace asynchronously, and they
 * would outlive the deletion until it has. A
 * namespace whose id is the recorded `ownId` (or `foreignId`) is taken (or
 * left) as it is, without entering it. The descriptor of a namespace found
 * to be the caller's is the caller's (Doomed.fd).
 */
function checkOwned(spec: DeleteSpec, access: GuardAccess, home: NetlinkSocket | undefined): Owned | undefined {
  const path = `${spec.dir}/${spec.name}`;
  const opened = access.roomFor(() => openChecked(path, false));
  if (opened.fd === undefined) return undefined;
  const { fd, status, state } = opened;
  let held = false;
  try {
    if (state.kind !== "namespace") return undefined;
    // Read for a record's check, else only for a namespace found to be the caller's (not for every other one listed).
    const recordedId = spec.ownId !== undefined || spec.foreignId !== undefined ? idOf(fd) : undefined;
    let known = recognised(recordedId, spec);
    if (known === "foreign") return undefined;
    if (known === "own" && spec.ownUnlessPeered && peered(home, fd)) known = undefined;
    let read: { loAlias: string; linksLeft: string[] } | undefined;
    if (known !== "own") {
      read = readOwned(fd, spec, access);
      if (read === undefined) return undefined;
    }
    held = true;
    const id = recordedId ?? idOf(fd);
    return {
      ns: { name: spec.name, path, stale: false },
      key: keyOfIdentity(status),
      mounted: true,
      fd,
      ...(read !== undefined && { loAlias: read.loAlias }),
      ...(read !== undefined && read.linksLeft.length > 0 && { linksLeft: read.linksLeft }),
      ...(id !== undefined && { id }),
    };
  } finally {
    if (!held) libc.close(fd);
  }
}

/**
 * Keeps `fd` (recorded with `access.own`) open until the run ends, closing the run's oldest holds first while they
 * and the `pending` unmounts' descriptors come to `maxHolds`: that namespace's destruction may then come while the
 * run still reads others (slower, as the run's reads wait on it), where holding every one ran out of descriptors
 * part-way through a lab larger than the limit.
 */
function hold(holds: number[], access: GuardAccess, fd: number, pending: number): void {
  while (holds.length > 0 && holds.length + pending >= access.maxHolds) access.close(holds.shift() as number);
  holds.push(fd);
}

/** The NS_GET_ID of the namespace open as `fd`; undefined where the kernel cannot tell it. */
function idOf(fd: number): string | undefined {
  try {
    return libc.nsId(fd);
  } catch {
    return undefined;
  }
}

/** Whose the namespace with id `id` is by its id alone: a recorded one of exactly one side; else undefined (read it). */
function recognised(id: string | undefined, spec: DeleteSpec): "own" | "foreign" | undefined {
  if (id === undefined) return undefined;
  const own = id === spec.ownId;
  const foreign = id === spec.foreignId;
  return own === foreign ? undefined : own ? "own" : "foreign";
}

/** Whether the run's first namespace (`home`'s) gives the namespace open as `fd` an nsid; true when that cannot be told. */
function peered(home: NetlinkSocket | undefined, fd: number): boolean {
  if (home === undefined) return true;
  try {
    return getNsid(home, fd) >= 0;
  } catch {
    return true;
  }
}

/**
 * The alias of the loopback of the namespace open as `fd`, entered, if it starts with `loAliasPrefix`, its links
 * not in `keepGroup` (with `emptyFirst`, all but lo) deleted first (but those the kernel will not delete:
 * `linksLeft`); undefined if it is not the caller's (or cannot be read: not shown to be).
 */
function readOwned(fd: number, spec: DeleteSpec, access: GuardAccess): { loAlias: string; linksLeft: string[] } | undefined {
  access.enter(fd);
  let links: LinkHead[];
  try {
    links = access.roomFor(readLinkHeadsHere);
  } catch {
    return undefined;
  }
  const loAlias = links.find((l) => l.index === LOOPBACK_INDEX)?.alias ?? null;
  if (loAlias === null || !loAlias.startsWith(spec.loAliasPrefix ?? "")) return undefined;
  const outward = links.filter((l) => l.index !== LOOPBACK_INDEX && (spec.emptyFirst === true || l.group !== spec.keepGroup));
  const loGroup = links.find((l) => l.index === LOOPBACK_INDEX)?.group;
  const deletes = spec.keepGroup !== undefined || spec.emptyFirst === true;
  const linksLeft = deletes && outward.length > 0 ? deleteHere(outward, loGroup, access) : [];
  return { loAlias, linksLeft };
}

/** One gone meanwhile (a veth's far end deleted with it, a group emptied) is what was wanted. */
const failure = (errors: readonly (Error | undefined)[]) => errors.find((e) => e !== undefined && !hasErrno(e, "ENODEV"));

/**
 * A device with no rtnetlink delete (no link ops at all: a physical NIC or VF moved in by hand): the kernel refuses
 * it, and a group that holds it, every time. It goes with its namespace all the same, the kernel moving it back to
 * the initial namespace as it destroys this one.
 */
const undeletable = (err: Error | undefined) => err !== undefined && isUndeletable(err);

/**
 * Deletes `links` (all of the namespace's links in their groups but the loopback) of the thread's namespace, through
 * a socket opened and closed here; returns the names of those left to go with the namespace (undeletable). The kernel
 * waits ~16 ms on each link deleted alone, once on a whole group (IFLA_GROUP): each group but the loopback's goes in
 * one request, as a lab's vxlans and macvlans do; a group the kernel will not delete whole goes link by link: group 0
 * (EPERM), every hand-made link's once lo is moved out of it, and one with an undeletable device (EOPNOTSUPP).
 */
function deleteHere(links: readonly LinkHead[], loGroup: number | undefined, access: GuardAccess): string[] {
  const socket = access.roomFor(() => new NetlinkSocket({ brief: true }));
  try {
    const groups = [...new Set(links.map((l) => l.group))].filter((g) => g !== loGroup);
    const whole =
      groups.length > 0
        ? socket.transactEach(groups.map((group) => ({ request: { type: "delLink", group }, label: "RTM_DELLINK (group)" }))).errors
        : [];
    const kept = new Set(groups.filter((_, i) => failure([whole[i]]) !== undefined));
    const alone = links.filter((l) => l.group === loGroup || kept.has(l.group));
    if (alone.length === 0) return [];
    const { errors } = socket.transactEach(alone.map((l) => ({ request: { type: "delLink", index: l.index }, label: "RTM_DELLINK" })));
    const failed = failure(errors.map((e) => (undeletable(e) ? undefined : e)));
    if (failed) throw failed;
    const left = alone.filter((_, i) => undeletable(errors[i]));
    // Named only now (a link head has no name): one request for them all, and none where nothing was refused.
    return left.length === 0 ? [] : namesOf(socket, left);
  } finally {
    socket.close();
  }
}

/** The names of `links` (one datagram of lookups by index); one gone meanwhile has none. */
function namesOf(socket: NetlinkSocket, links: readonly LinkHead[]): string[] {
  const { replies } = socket.transactEach(links.map((l) => getLinkRequest({ kind: "index", index: l.index })));
  return replies.flatMap((reply) => reply.flatMap((m) => (m.kind === "link" ? [m.link.name] : [])));
}

type DeleteSpec = Omit<Extract<NsActionSpec, { kind: "deleteNamed" }>, "kind">;

/**
 * A namespace a guarded deletion found to be the caller's: its loopback's alias when read, the links it left to go
 * with it, its id when the kernel has ids.
 */
type Owned = Doomed & { loAlias?: string; linksLeft?: string[]; id?: string };

/** The consecutive deleteNamed actions starting at `start`. */
export function deletionRun(actions: readonly NsActionSpec[], start: number): DeleteSpec[] {
  const run: DeleteSpec[] = [];
  for (let i = start; i < actions.length; i++) {
    const action = actions[i] as NsActionSpec;
    if (action.kind !== "deleteNamed") break;
    const { kind: _, ...spec } = action;
    run.push(spec);
  }
  return run;
}

/** What a deletion of a run removed: its entry, "dev:ino", and for a guarded one the alias that made it the caller's. */
export interface Deleted {
  ns: DeletedNs;
  key: string;
}

/**
 * Removes named namespaces as consecutive deleteNamed actions would, with
 * their unmounts concurrent, each started as soon as its entry is checked. A
 * name that does not exist, or is not a namespace, stops the run there: the
 * ones before it are deleted, it fails, the later ones are untouched. A
 * guarded deletion (loAliasPrefix) skips, with null, what is not the
 * caller's instead, and holds the namespaces it deletes open until the run
 * ends: the kernel destroys a namespace as soon as nothing holds it, under
 * the RTNL lock the next checks' reads would wait for.
 * Returns what was deleted (null: skipped), and the failure if any.
 */
export async function deleteNamedRun(
  specs: readonly DeleteSpec[],
  access: GuardAccess,
): Promise<{ deleted: (Deleted | null)[]; failure?: RunFailure }> {
  const holds: number[] = [];
  // Opened before any check enters a namespace: the nsids asked for are the ones the run's own namespace gives.
  let home: NetlinkSocket | undefined;
  try {
    if (specs.some((s) => s.ownUnlessPeered)) home = access.roomFor(() => new NetlinkSocket({ brief: true }));
  } catch {}
  try {
    return await deleteChecked(specs, access, holds, home);
  } finally {
    home?.close();
    for (const fd of holds) access.close(fd);
  }
}

async function deleteChecked(
  specs: readonly DeleteSpec[],
  access: GuardAccess,
  holds: number[],
  home: NetlinkSocket | undefined,
): Promise<{ deleted: (Deleted | null)[]; failure?: RunFailure }> {
  /** The dirs whose lock the run holds shared (namespace/deleting.ts), from before its first unmount there to its end. */
  const shared = new Map<string, number>();
  try {
    return await unmountAndRemove(specs, access, holds, home, shared);
  } finally {
    for (const fd of shared.values()) libc.close(fd);
  }
}

async function unmountAndRemove(
  specs: readonly DeleteSpec[],
  access: GuardAccess,
  holds: number[],
  home: NetlinkSocket | undefined,
  shared: Map<string, number>,
): Promise<{ deleted: (Deleted | null)[]; failure?: RunFailure }> {
  const found: (Owned | null)[] = [];
  /** What each concurrent unmount did, retried once if it failed (which also gives its reason). */
  const unmounted: (boolean | Error)[] = [];
  const unmounts: Promise<void>[] = [];
  // Each unmount in flight keeps its checked descriptor open: they and the holds stay within the worker's share.
  const slots = Math.max(1, Math.min(libc.CONCURRENT_CALLS, access.maxHolds));
  let active = 0;
  let freed = () => {};
  let failure: RunFailure | undefined;
  for (const [i, spec] of specs.entries()) {
    let doomed: Owned | undefined;
    try {
      doomed = spec.loAliasPrefix === undefined ? check(spec.name, spec.dir) : checkOwned(spec, access, home);
      if (doomed?.fd !== undefined) access.own(doomed.fd);
      if (doomed?.mounted && !shared.has(spec.dir)) shared.set(spec.dir, holdDir(spec.dir, false));
    } catch (err) {
      if (doomed !== undefined) closeDoomed(doomed);
      failure = new RunFailure(i, err);
      break;
    }
    found.push(doomed ?? null);
    if (!doomed?.mounted) continue;
    while (active >= slots) await new Promise<void>((resolve) => (freed = resolve));
    active++;
    const checked = doomed;
    unmounts.push(
      unmountConcurrent(checked).then((ok) => {
        unmounted[i] = ok || unmountOutcome(checked);
        active--;
        // Done with: a guarded deletion's namespace is held to the run's end, any other's descriptor closed.
        if (spec.loAliasPrefix !== undefined) hold(holds, access, checked.fd as number, active);
        else access.close(checked.fd as number);
        freed();
      }),
    );
  }
  await Promise.all(unmounts);
  const deleted: (Deleted | null)[] = [];
  for (const [i, doomed] of found.entries()) {
    if (doomed === null) {
      deleted.push(null);
      continue;
    }
    const spec = specs[i] as DeleteSpec;
    const guarded = spec.loAliasPrefix !== undefined;
    try {
      const outcome = unmounted[i];
      if (outcome instanceof Error) throw outcome;
      // An entry found empty is judged with the dir's lock exclusive, past the deletes under way there; but where this
      // run holds it shared (it unmounts there too), which it cannot wait out: those of other processes are not either.
      const exclusive = doomed.mounted || shared.has(spec.dir) ? undefined : holdDir(spec.dir, true);
      try {
        // A guarded deletion skips a namespace someone else's unmount took down meanwhile, as it skips one gone
        // before its check.
        if (!remove(doomed, outcome, guarded)) {
          deleted.push(null);
          continue;
        }
      } finally {
        if (exclusive !== undefined) libc.close(exclusive);
      }
    } catch (err) {
      return { deleted, failure: new RunFailure(i, err) };
    }
    const ino = Number(doomed.key.slice(doomed.key.indexOf(":") + 1));
    deleted.push({
      ns: {
        ...doomed.ns,
        ...(doomed.loAlias !== undefined && { loAlias: doomed.loAlias }),
        ...(doomed.linksLeft !== undefined && { linksLeft: doomed.linksLeft }),
        ...(guarded && { ino }),
        ...(doomed.id !== undefined && { id: doomed.id }),
      },
      key: doomed.key,
    });
  }
  return { deleted, failure };
}
