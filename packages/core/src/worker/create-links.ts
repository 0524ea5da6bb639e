/**
 * Consecutive link creations pipelined: many RTM_NEWLINKs per datagram, one
 * ACK each, with the outcome of creating them one by one. The kernel handles
 * each message of a datagram on its own, so creations after a failed one may
 * have been applied: those are undone.
 */
import type { Link } from "@neslink/codec-wasm";
import type { LinkDoResult, NsActionSpec } from "../actions/ns-actions.js";
import type { LinkRef, NewLinkSpec } from "../links/providers.js";
import type { NetlinkSocket, Pending } from "../netlink/socket.js";
import { RunFailure } from "./failures.js";
import { type IndexOf, indexLookup, linksByName } from "./link-lookup.js";
import { newLinkRequest, PeerNsFds, providerFailure } from "./new-link.js";
import { creationRefusal } from "./refusals.js";

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
    // One made in another namespace is looked up there, one by one (runLinkDo).
    if (spec.ns || refersTo(spec.master, names) || refersTo(spec.parent, names)) break;
    specs.push(spec);
    names.add(spec.name);
    const peer = spec.veth?.peer;
    if (peer && !peer.ns) names.add(peer.name);
  }
  return specs;
}

/** Deletes links this run created after a failed one, so the outcome is that of creating them one by one. */
function undo(socket: NetlinkSocket, names: readonly string[]): void {
  if (names.length === 0) return;
  const found = linksByName(socket, names).filter((l): l is Link => !(l instanceof Error));
  socket.transact(
    found.map((l) => ({ request: { type: "delLink", index: l.index }, label: "RTM_DELLINK (undoing a pipelined creation)" })),
  );
}

/** The creation at `offset + i` failed. */
const failedAt = (offset: number, i: number, spec: NewLinkSpec, err: unknown) =>
  new RunFailure(offset + i, providerFailure({ kind: "new", spec }, err));

function createChunk(socket: NetlinkSocket, specs: readonly NewLinkSpec[], indexOf: IndexOf, offset: number): LinkDoResult[] {
  const fds = new PeerNsFds();
  const batch: Pending[] = [];
  let unbuilt: RunFailure | undefined;
  let errors: (Error | undefined)[];
  try {
    for (const [i, spec] of specs.entries()) {
      try {
        batch.push(newLinkRequest(indexOf, spec, fds));
      } catch (err) {
        unbuilt = failedAt(offset, i, spec, err);
        break;
      }
    }
    errors = batch.length ? socket.transactEach(batch).errors : [];
  } finally {
    fds.close();
  }
  const failed = errors.findIndex((e) => e !== undefined);
  if (failed >= 0) {
    const spec = specs[failed] as NewLinkSpec;
    const after = specs.slice(failed + 1, batch.length).filter((_, k) => errors[failed + 1 + k] === undefined);
    try {
      undo(
        socket,
        after.map((s) => s.name),
      );
    } catch (err) {
      throw failedAt(offset, failed, spec, err);
    }
    throw failedAt(offset, failed, spec, creationRefusal(socket, spec, errors[failed]));
  }
  if (unbuilt) throw unbuilt;
  return linksByName(
    socket,
    specs.map((s) => s.name),
  ).map((link, i) => {
    if (link instanceof Error) throw failedAt(offset, i, specs[i] as NewLinkSpec, link);
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
