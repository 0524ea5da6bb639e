/**
 * linkDo on the worker: find or create the link, then run its actions.
 * Consecutive changes are pipelined: one datagram, one ACK each, and the
 * first failure is reported with the action that caused it. The kernel handles
 * each message of a datagram on its own, so changes after a failed one in the
 * same datagram may still have been applied.
 */
import type { Link, Message } from "@neslink/codec-wasm";
import type { LinkActionSpec, LinkChanges } from "../actions/link-actions.js";
import type { LinkDoResult } from "../actions/ns-actions.js";
import { NotFoundError } from "../errors.js";
import { describe, type LinkProvider } from "../links/providers.js";
import { listAddrs } from "../netlink/dumps.js";
import type { NetlinkSocket, Pending, RequestBody } from "../netlink/socket.js";
import { callCustom } from "./custom.js";
import { LinkFailure } from "./failures.js";
import { findLink, getLinkRequest, indexOfLink, isMissingLink, type NameOrIndex } from "./link-lookup.js";
import { createLinkIn } from "./create-links.js";
import { createLink, providerFailure, type There } from "./new-link.js";
import { changeRefusal } from "./refusals.js";

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

/** The link the actions act on, and the Link itself when it had to be fetched (or made) anyway. */
function resolveTarget(socket: NetlinkSocket, provider: LinkProvider, actions: readonly LinkActionSpec[]): { target: Target; link?: Link } {
  try {
    if (provider.kind === "name" && byNameOnly(actions)) return { target: { byName: provider.name } };
    // Only the index is needed when the result is the state read back after the actions and no action is handed the link.
    if (provider.kind === "name" && actions.length > 0 && actions.every((a) => a.kind !== "delete" && a.kind !== "custom")) {
      return { target: { index: indexOfLink(socket, provider) } };
    }
    const link = provider.kind === "new" ? createLink(socket, provider.spec) : findLink(socket, provider);
    return { target: { index: link.index }, link };
  } catch (err) {
    throw providerFailure(provider, err);
  }
}

/** A change waiting to be sent, with the index of its action (-1: the lookup riding along). */
type Queued = Pending & { index: number };

/** Changes to one link sent together, many per datagram; a failure names the action that caused it. */
class ChangeBatch {
  #queued: Queued[] = [];
  /** How the link is asked for again: as the changes name it. */
  readonly #self: NameOrIndex;

  constructor(
    private readonly socket: NetlinkSocket,
    private readonly provider: LinkProvider,
    private readonly actions: readonly LinkActionSpec[],
    private readonly target: Target,
  ) {
    this.#self = "index" in target ? { kind: "index", index: target.index } : { kind: "name", name: target.byName };
  }

  add(change: Pending, index: number): void {
    this.#queued.push({ ...change, index });
  }

  /** Sends the queued changes in one datagram; with `lookup`, the link's state after them rides along at its end. */
  flush(lookup = false): Link | undefined {
    const batch = this.#queued;
    this.#queued = [];
    if (batch.length === 0) return undefined;
    const last = lookup ? { ...getLinkRequest(this.#self), index: -1 } : undefined;
    const sent = last ? [...batch, last] : batch;
    let replies: Message[][];
    try {
      replies = this.socket.transact(sent);
    } catch (err) {
      throw this.#failure(sent[(err as { requestIndex?: number }).requestIndex ?? 0] as Queued, sent[0] as Queued, err);
    }
    const msg = lookup ? replies.at(-1)?.find((m) => m.kind === "link") : undefined;
    return msg?.kind === "link" ? msg.link : undefined;
  }

  /** The link as it is now: read back after the changes, or looked up. */
  current(): Link {
    return this.flush(true) ?? findLink(this.socket, this.#self);
  }

  #failure(at: Queued, first: Queued, err: unknown): unknown {
    const self = describe(this.#self);
    const missing = isMissingLink(err);
    // By name, the first change is where the kernel finds the link missing.
    if ("byName" in this.target && missing && at === first) {
      return providerFailure(this.provider, new NotFoundError("link", `no link with ${self}`));
    }
    if (at.index < 0) return missing ? new NotFoundError("link", `the link with ${self} is gone`, { cause: err }) : err;
    const action = this.actions[at.index] as LinkActionSpec;
    // Named as the caller named it: the index the changes went to is ours.
    const link = this.provider.kind === "new" ? `name "${this.provider.spec.name}"` : describe(this.provider);
    return new LinkFailure(at.index, action.kind, changeRefusal(this.socket, action, link, err));
  }
}

/**
 * Gets or creates the link and runs the actions; a failure is a LinkFailure naming the action (or the provider).
 * A link created in another namespace (spec.ns, which takes no actions) is found there through `there`.
 */
export async function runLinkDo(
  socket: NetlinkSocket,
  provider: LinkProvider,
  actions: readonly LinkActionSpec[],
  there?: There,
): Promise<LinkDoResult> {
  if (provider.kind === "new" && provider.spec.ns) {
    if (there === undefined) throw new Error("a link created in another namespace needs a way to find it there");
    return { link: await createLinkIn(socket, provider.spec, there), results: [] };
  }
  const { target, link } = resolveTarget(socket, provider, actions);
  const changes = new ChangeBatch(socket, provider, actions, target);
  const results: unknown[] = [];
  let deleted = false;
  for (const [i, action] of actions.entries()) {
    try {
      const change = changeRequest(socket, target, action);
      if (change) {
        changes.add(change, i);
        results.push(null);
        deleted ||= action.kind === "delete";
        continue;
      }
      changes.flush();
      if (action.kind === "addrs") results.push(listAddrs(socket).filter((a) => a.index === (target as { index: number }).index));
      else if (action.kind === "custom") results.push(await callCustom(action.module, action.export, action.args, { link }));
    } catch (err) {
      throw err instanceof LinkFailure ? err : new LinkFailure(i, action.kind, err);
    }
  }
  // With no actions the link is already as the kernel reported it after creation.
  if (deleted || actions.length === 0) {
    changes.flush();
    return { link: link as Link, results };
  }
  return { link: changes.current(), results };
}
