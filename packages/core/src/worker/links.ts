/**
 * linkDo on the worker: find or create the link, then run its actions.
 * Consecutive changes are pipelined: one datagram, one ACK each, and the
 * first failure is reported with the action that caused it. The kernel handles
 * each message of a datagram on its own, so changes after a failed one in the
 * same datagram may still have been applied.
 */
import type { Address, Link, Message, NewLinkRequest, Request } from "@neslink/codec-wasm";
import type { LinkActionSpec, LinkChanges } from "../actions/link-actions.js";
import type { LinkDoResult, NsActionSpec } from "../actions/ns-actions.js";
import type { RouteActionSpec } from "../actions/route-actions.js";
import { ActionError, KindUnsupportedError, NetlinkError, NotFoundError, SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { describe, type LinkProvider, type LinkRef, type NewLinkSpec } from "../links/providers.js";
import { openProviderNs } from "../namespace/entry.js";
import type { ExistingNsProvider } from "../namespace/providers.js";
import type { NetlinkSocket, Pending, RequestBody } from "../netlink/socket.js";
import { callCustom } from "./custom.js";
import { RunFailure } from "./run-failure.js";

const ENODEV = 19;
/**
 * IFLA_EXT_MASK for link requests: RTEXT_FILTER_SKIP_STATS. A Link carries
 * no counters and no VF list, so the kernel need not gather either (a quarter
 * of a link dump's bytes).
 */
const LINK_EXT_MASK = 1 << 3;

type NameOrIndex = Extract<LinkRef, { kind: "name" | "index" }>;

/** RTM_GETLINK for one link, by name or index. */
function getLinkRequest(ref: NameOrIndex): Pending {
  const by = ref.kind === "name" ? { name: ref.name } : { index: ref.index };
  return { request: { type: "getLink", ...by, extMask: LINK_EXT_MASK }, label: "RTM_GETLINK" };
}

/** Finds a link: by name or index with one RTM_GETLINK, by alias with a dump. */
export function findLink(socket: NetlinkSocket, ref: LinkRef): Link {
  if (ref.kind === "alias") {
    const found = listLinks(socket).find((l) => l.alias === ref.alias);
    if (!found) throw new NotFoundError("link", `no link with ${describe(ref)}`);
    return found;
  }
  try {
    const [reply = []] = socket.transact([getLinkRequest(ref)]);
    const msg = reply.find((m) => m.kind === "link");
    if (msg?.kind === "link") return msg.link;
  } catch (err) {
    if (!(err instanceof NetlinkError && err.errno === ENODEV)) throw err;
  }
  throw new NotFoundError("link", `no link with ${describe(ref)}`);
}

/**
 * A link's index: by name with SIOCGIFINDEX on the namespace's socket, which
 * builds no message and, unlike RTM_GETLINK, does not make the kernel settle
 * the link's pending state change first (for a link without carrier that
 * waits for an RCU grace period); otherwise as findLink.
 */
export function indexOfLink(socket: NetlinkSocket, ref: LinkRef): number {
  if (ref.kind !== "name") return findLink(socket, ref).index;
  try {
    return libc.ifIndex(socket.fd, ref.name);
  } catch (err) {
    if (err instanceof SystemCallError && err.errno === ENODEV) throw new NotFoundError("link", `no link with ${describe(ref)}`);
    throw err;
  }
}

export function listLinks(socket: NetlinkSocket): Link[] {
  return socket.dump({ type: "getLinkDump", extMask: LINK_EXT_MASK }, "RTM_GETLINK").flatMap((m) => (m.kind === "link" ? [m.link] : []));
}

export function listAddrs(socket: NetlinkSocket, family = 0): Address[] {
  return socket.dump({ type: "getAddrDump", family }, "RTM_GETADDR").flatMap((m) => (m.kind === "address" ? [m.address] : []));
}

/** Opens the namespace files a request names; all closed by `close`. */
class Fds {
  readonly #open: number[] = [];
  open(ns: ExistingNsProvider): number {
    const fd = openProviderNs(ns, process.pid);
    this.#open.push(fd);
    return fd;
  }
  close(): void {
    for (const fd of this.#open.splice(0)) libc.close(fd);
  }
}

/** An existing link's index from its reference. */
type IndexOf = (ref: LinkRef) => number;

/** Looks each reference up once: a run of creations usually names the same bridge again and again. */
function indexLookup(socket: NetlinkSocket): IndexOf {
  const seen = new Map<string, number>();
  return (ref) => {
    const key = describe(ref);
    let index = seen.get(key);
    if (index === undefined) {
      index = indexOfLink(socket, ref);
      seen.set(key, index);
    }
    return index;
  };
}

function newLinkRequest(indexOf: IndexOf, spec: NewLinkSpec, fds: Fds): Pending {
  const { name, type: kind, mtu, mac, group, master, parent, peer, vxlan, gre, macvlanMode, up } = spec;
  const request: Omit<NewLinkRequest, "seq"> = { type: "newLink", name, kind };
  Object.assign(
    request,
    mtu !== undefined && { mtu },
    mac !== undefined && { mac },
    group !== undefined && { group },
    up !== undefined && { up },
    master && { masterIndex: indexOf(master) },
    parent && { parentIndex: indexOf(parent) },
    gre && { gre },
    macvlanMode && { macvlanMode },
    vxlan && { vxlan },
  );
  if (peer) {
    const { ns, ...rest } = peer;
    request.peer = ns ? { ...rest, nsFd: fds.open(ns) } : rest;
  }
  return { request: request as RequestBody, label: `RTM_NEWLINK (${kind})` };
}

const EOPNOTSUPP = 95;

/** A link provider as errors name it: `link provider (new bridge "br0")`, `link provider (name "eth0")`. */
function providerName(provider: LinkProvider): string {
  return `link provider (${provider.kind === "new" ? `new ${provider.spec.type} "${provider.spec.name}"` : describe(provider)})`;
}

/** The kernel's answer for a link kind it has no driver for (not built in, module not loaded). */
const lacksKind = (err: unknown) => err instanceof NetlinkError && err.errno === EOPNOTSUPP && err.extAck === "Unknown device type";

/** How a failed creation is reported, pipelined or not. */
function providerError(spec: NewLinkSpec, err: unknown): ActionError {
  const cause = lacksKind(err) ? new KindUnsupportedError(spec.type, err) : err;
  return new ActionError(-1, providerName({ kind: "new", spec }), true, cause);
}

function resolveLink(socket: NetlinkSocket, provider: LinkProvider): Link {
  if (provider.kind !== "new") return findLink(socket, provider);
  const fds = new Fds();
  try {
    socket.transact([newLinkRequest(indexLookup(socket), provider.spec, fds)]);
  } finally {
    fds.close();
  }
  return findLink(socket, { kind: "name", name: provider.spec.name });
}

/** Requests per datagram when creating links: bounds the descriptors open and the replies queued for us at once. */
const PIPELINE = 64;

const refersTo = (ref: LinkRef | undefined, names: Set<string>) =>
  ref !== undefined && names.size > 0 && (ref.kind !== "name" || names.has(ref.name));

/**
 * The link creations starting at `start` that can go to the kernel together:
 * consecutive `na.link(new ...)` with no link actions, none naming (as master
 * or parent) a link created earlier in the run, whose index is not known yet.
 */
export function creationRun(actions: readonly NsActionSpec[], start: number): NewLinkSpec[] {
  const specs: NewLinkSpec[] = [];
  const names = new Set<string>();
  for (let i = start; i < actions.length; i++) {
    const action = actions[i] as NsActionSpec;
    if (action.kind !== "link" || action.link.kind !== "new" || action.actions.length > 0) break;
    const { spec } = action.link;
    if (refersTo(spec.master, names) || refersTo(spec.parent, names)) break;
    specs.push(spec);
    names.add(spec.name);
    if (spec.peer && !spec.peer.ns) names.add(spec.peer.name);
  }
  return specs;
}

/** Fetches links by name, many per datagram; throws the first that is missing. */
function linksByName(socket: NetlinkSocket, names: readonly string[]): (Link | Error)[] {
  const { replies, errors } = socket.transactEach(names.map((name) => getLinkRequest({ kind: "name", name })));
  return names.map((name, i) => {
    const msg = (replies[i] as Message[]).find((m) => m.kind === "link");
    if (msg?.kind === "link") return msg.link;
    const err = errors[i];
    return err && !(err instanceof NetlinkError && err.errno === ENODEV) ? err : new NotFoundError("link", `no link named "${name}"`);
  });
}

/** Deletes links this run created after a failed one, so the outcome is that of creating them one by one. */
function undo(socket: NetlinkSocket, names: readonly string[]): void {
  if (names.length === 0) return;
  const found = linksByName(socket, names).filter((l): l is Link => !(l instanceof Error));
  socket.transact(
    found.map((l) => ({ request: { type: "delLink", index: l.index }, label: "RTM_DELLINK (undoing a pipelined creation)" })),
  );
}

function createChunk(socket: NetlinkSocket, specs: readonly NewLinkSpec[], indexOf: IndexOf, offset: number): LinkDoResult[] {
  const fds = new Fds();
  const batch: Pending[] = [];
  let unbuilt: RunFailure | undefined;
  let errors: (Error | undefined)[];
  try {
    for (const [i, spec] of specs.entries()) {
      try {
        batch.push(newLinkRequest(indexOf, spec, fds));
      } catch (err) {
        unbuilt = new RunFailure(offset + i, providerError(spec, err));
        break;
      }
    }
    errors = batch.length ? socket.transactEach(batch).errors : [];
  } finally {
    fds.close();
  }
  const failed = errors.findIndex((e) => e !== undefined);
  if (failed >= 0) {
    const after = specs.slice(failed + 1, batch.length).filter((_, k) => errors[failed + 1 + k] === undefined);
    try {
      undo(
        socket,
        after.map((s) => s.name),
      );
    } catch (err) {
      throw new RunFailure(offset + failed, providerError(specs[failed] as NewLinkSpec, err));
    }
    throw new RunFailure(offset + failed, providerError(specs[failed] as NewLinkSpec, errors[failed]));
  }
  if (unbuilt) throw unbuilt;
  return linksByName(
    socket,
    specs.map((s) => s.name),
  ).map((link, i) => {
    if (link instanceof Error) throw new RunFailure(offset + i, providerError(specs[i] as NewLinkSpec, link));
    return { link, results: [] };
  });
}

/**
 * Creates links as consecutive `na.link(new ...)` actions would, pipelined:
 * up to PIPELINE creations per datagram, then one datagram of lookups for
 * their kernel state. Throws a RunFailure naming the first that failed.
 */
export function createLinks(socket: NetlinkSocket, specs: readonly NewLinkSpec[]): LinkDoResult[] {
  const indexOf = indexLookup(socket);
  const created: LinkDoResult[] = [];
  for (let start = 0; start < specs.length; start += PIPELINE) {
    created.push(...createChunk(socket, specs.slice(start, start + PIPELINE), indexOf, start));
  }
  return created;
}

/** The link a change acts on: its index, or its name for the kernel to find in the socket's namespace. */
type Target = { index: number } | { byName: string };

function setRequest(socket: NetlinkSocket, target: Target, { master, ...changes }: LinkChanges): Pending {
  const masterIndex = master === undefined ? undefined : master === null ? 0 : indexOfLink(socket, master);
  return {
    request: { type: "setLink", ...target, ...changes, ...(masterIndex !== undefined && { masterIndex }) } as RequestBody,
    label: "RTM_NEWLINK",
  };
}

/** The request for a change; only attribute changes (set) may target a link by name. */
function changeRequest(socket: NetlinkSocket, target: Target, action: LinkActionSpec): Pending | undefined {
  if (action.kind === "set") return setRequest(socket, target, action.changes);
  if (!("index" in target)) throw new Error(`a ${action.kind} action needs the link's index`);
  const { index } = target;
  switch (action.kind) {
    case "delete":
      return { request: { type: "delLink", index }, label: "RTM_DELLINK" };
    case "addAddr":
    case "delAddr": {
      const { address, prefixLen } = action.cidr;
      const replace = action.kind === "addAddr" && action.replace;
      const type = action.kind === "addAddr" ? "newAddr" : "delAddr";
      return {
        request: { type, index, address, prefixLen, ...(replace && { replace }) },
        label: type === "newAddr" ? "RTM_NEWADDR" : "RTM_DELADDR",
      };
    }
    default:
      return undefined;
  }
}

/**
 * Changes that can name their link instead of its index: attribute changes
 * that keep its name and need no other link looked up (so a missing link is
 * still the first failure reported). With the link given by name they go
 * without a lookup first, one round trip instead of two.
 */
const byNameOnly = (actions: readonly LinkActionSpec[]) =>
  actions.length > 0 && actions.every((a) => a.kind === "set" && a.changes.name === undefined && a.changes.master === undefined);

/** Gets or creates the link and runs the actions; failures are ActionErrors indexed into `actions` (-1: the provider). */
export async function runLinkDo(socket: NetlinkSocket, provider: LinkProvider, actions: readonly LinkActionSpec[]): Promise<LinkDoResult> {
  const providerFailed = (err: unknown) =>
    provider.kind === "new" ? providerError(provider.spec, err) : new ActionError(-1, providerName(provider), true, err);
  // Only the index is needed when the result is the state read back after the actions and no action is handed the link.
  const indexOnly = provider.kind === "name" && actions.length > 0 && actions.every((a) => a.kind !== "delete" && a.kind !== "custom");
  const byName = provider.kind === "name" && byNameOnly(actions);
  let link: Link | undefined;
  let target: Target;
  try {
    if (byName) target = { byName: provider.name };
    else if (indexOnly) target = { index: indexOfLink(socket, provider) };
    else {
      link = resolveLink(socket, provider);
      target = { index: link.index };
    }
  } catch (err) {
    throw providerFailed(err);
  }
  /** How the link is asked for again: as the changes name it. */
  const self: NameOrIndex = "index" in target ? { kind: "index", index: target.index } : { kind: "name", name: target.byName };
  const results: unknown[] = [];
  let pending: { request: RequestBody; label: string; index: number }[] = [];
  let deleted = false;
  /** Sends the pending changes in one datagram; with `lookup`, the link's state after them rides along at its end. */
  const flush = (lookup = false): Link | undefined => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return undefined;
    const last = lookup ? { ...getLinkRequest(self), index: -1 } : undefined;
    const sent = last ? [...batch, last] : batch;
    let replies: Message[][];
    try {
      replies = socket.transact(sent);
    } catch (err) {
      const at = sent[(err as { requestIndex?: number }).requestIndex ?? 0] as (typeof sent)[number];
      const missing = err instanceof NetlinkError && err.errno === ENODEV;
      // By name, the first change is where the kernel finds the link missing.
      if (byName && missing && at === sent[0]) throw providerFailed(new NotFoundError("link", `no link with ${describe(self)}`));
      if (at === last) {
        throw missing
          ? new NotFoundError("link", self.kind === "index" ? `link ${self.index} is gone` : `link "${self.name}" is gone`)
          : err;
      }
      throw new ActionError(at.index, (actions[at.index] as LinkActionSpec).kind, true, err);
    }
    const msg = lookup ? replies.at(-1)?.find((m) => m.kind === "link") : undefined;
    return msg?.kind === "link" ? msg.link : undefined;
  };
  for (const [i, action] of actions.entries()) {
    try {
      const change = changeRequest(socket, target, action);
      if (change) {
        pending.push({ ...change, index: i });
        results.push(null);
        deleted ||= action.kind === "delete";
        continue;
      }
      flush();
      if (action.kind === "addrs") results.push(listAddrs(socket).filter((a) => a.index === (target as { index: number }).index));
      else if (action.kind === "custom") results.push(await callCustom(action.module, action.export, action.args, { link }));
    } catch (err) {
      throw err instanceof ActionError ? err : new ActionError(i, action.kind, true, err);
    }
  }
  // With no actions the link is already as the kernel reported it after creation.
  const refresh = !deleted && actions.length > 0;
  const refreshed = flush(refresh);
  const current = refresh ? (refreshed ?? findLink(socket, self)) : link;
  return { link: current as Link, results };
}

/** Route changes and listings, on the namespace's socket. */
export function runRouteAction(socket: NetlinkSocket, action: RouteActionSpec): unknown {
  if (action.kind === "routes") {
    return socket
      .dump({ type: "getRouteDump", family: action.family }, "RTM_GETROUTE")
      .flatMap((m) => (m.kind === "route" ? [m.route] : []));
  }
  const { family, dst, dstLen, via, dev, metric, table } = action.route;
  const request = {
    type: action.op === "delete" ? "delRoute" : "newRoute",
    family,
    ...(dst !== undefined && { dst, dstLen }),
    ...(via !== undefined && { gateway: via }),
    ...(dev !== undefined && { oifIndex: indexOfLink(socket, dev) }),
    ...(metric !== undefined && { metric }),
    ...(table !== undefined && { table }),
    ...(action.op === "replace" && { replace: true }),
  } as Extract<Request, { type: "newRoute" | "delRoute" }>;
  socket.transact([{ request: request as RequestBody, label: action.op === "delete" ? "RTM_DELROUTE" : "RTM_NEWROUTE" }]);
  return null;
}
