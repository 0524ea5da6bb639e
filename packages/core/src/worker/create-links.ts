/**
 * Consecutive link creations pipelined: many RTM_NEWLINKs per datagram, one
 * ACK each, with the outcome of creating them one by one. The kernel handles
 * each message of a datagram on its own, so creations after a failed one may
 * have been applied: those are undone. A link made in another namespace
 * (`spec.ns`) rides in the same datagram, its request carrying that
 * namespace's descriptor (IFLA_NET_NS_FD, read by the kernel from the
 * sender's table as it handles the message): it is then looked up, or
 * undone, there, in one datagram for all of a namespace's.
 */
import type { Link } from "@neslink/codec-wasm";
import type { LinkDoResult, NsActionSpec } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { AlreadyExistsError } from "../errors.js";
import type { LinkRef, NewLinkSpec } from "../links/providers.js";
import type { ExistingNsProvider } from "../namespace/providers.js";
import type { NetlinkSocket, Pending } from "../netlink/socket.js";
import { RunFailure } from "./failures.js";
import { type IndexOf, indexLookup, linksByName, madeThenGone } from "./link-lookup.js";
import { newLinkRequest, PeerNsFds, providerFailure, type There } from "./new-link.js";
import { creationRefusal } from "./refusals.js";

/** Requests per datagram when creating links: bounds the descriptors open and the replies queued for us at once. */
const PIPELINE = 64;

const refersTo = (ref: LinkRef | undefined, names: Set<string>) =>
  ref !== undefined && names.size > 0 && (ref.kind !== "name" || names.has(ref.name));

/**
 * The link creations starting at `start` that can go to the kernel together:
 * consecutive `na.link(new ...)` with no link actions, none naming (as master
 * or parent) a link created earlier in the run in the socket's namespace,
 * whose index is not known yet.
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
    // One made elsewhere has its name there.
    if (!spec.ns) names.add(spec.name);
    const peer = spec.veth?.peer;
    if (peer && !peer.ns) names.add(peer.name);
  }
  return specs;
}

/** Where a chunk's links were made: each spec's namespace, open as a descriptor, or undefined for the socket's own. */
type Targets = readonly (number | undefined)[];

/** The indices of `which` grouped by where each was made, the socket's own namespace (undefined) first. */
function byTarget(targets: Targets, which: readonly number[]): Map<number | undefined, number[]> {
  const groups = new Map<number | undefined, number[]>([[undefined, []]]);
  for (const k of which) {
    const at = targets[k];
    const group = groups.get(at);
    if (group) group.push(k);
    else groups.set(at, [k]);
  }
  return groups;
}

/** Deletes the named links of the socket's namespace, all in one datagram. */
function undoHere(socket: NetlinkSocket, names: readonly string[]): void {
  if (names.length === 0) return;
  const found = linksByName(socket, names).filter((l): l is Link => !(l instanceof Error));
  socket.transact(
    found.map((l) => ({ request: { type: "delLink", index: l.index }, label: "RTM_DELLINK (undoing a pipelined creation)" })),
  );
}

/** Deletes links this run created after a failed one, where each was made, so the outcome is that of creating them one by one. */
async function undo(socket: NetlinkSocket, there: There, specs: readonly NewLinkSpec[], targets: Targets, which: number[]) {
  for (const [target, group] of byTarget(targets, which)) {
    const names = group.map((k) => (specs[k] as NewLinkSpec).name);
    if (target === undefined) undoHere(socket, names);
    else await there(target, (s) => undoHere(s, names));
  }
}

/** Each created link as the kernel reports it where it was made, or why it could not be had. */
async function lookUp(socket: NetlinkSocket, there: There, specs: readonly NewLinkSpec[], targets: Targets): Promise<(Link | Error)[]> {
  const found: (Link | Error)[] = [];
  for (const [target, group] of byTarget(targets, [...specs.keys()])) {
    if (group.length === 0) continue;
    const names = group.map((k) => (specs[k] as NewLinkSpec).name);
    let links: (Link | Error)[];
    try {
      links = target === undefined ? linksByName(socket, names) : await there(target, (s) => linksByName(s, names));
    } catch (err) {
      links = names.map(() => err as Error);
    }
    for (const [j, k] of group.entries()) found[k] = links[j] as Link | Error;
  }
  return found;
}

/** A refused creation elsewhere: an EEXIST is its name taken there when a lookup there finds it, else the extAck's reason. */
async function refusedThere(there: There, target: number, spec: NewLinkSpec, err: unknown): Promise<unknown> {
  if (!hasErrno(err, "EEXIST")) return err;
  let found: Link | Error | undefined;
  try {
    [found] = await there(target, (s) => linksByName(s, [spec.name]));
  } catch {
    return err;
  }
  if (found === undefined || found instanceof Error) return err;
  return new AlreadyExistsError("link", `a link named "${spec.name}" already exists in the namespace it was to be created in`, {
    cause: err,
  });
}

/** The creation at `offset + i` failed. */
const failedAt = (offset: number, i: number, spec: NewLinkSpec, err: unknown) =>
  new RunFailure(offset + i, providerFailure({ kind: "new", spec }, err));

async function createChunk(
  socket: NetlinkSocket,
  specs: readonly NewLinkSpec[],
  indexOf: IndexOf,
  offset: number,
  there: There,
): Promise<LinkDoResult[]> {
  // Open until the links made elsewhere are looked up (or undone) there, through the descriptors their requests carried.
  const fds = new PeerNsFds();
  try {
    const batch: Pending[] = [];
    const targets: (number | undefined)[] = [];
    let unbuilt: RunFailure | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        batch.push(newLinkRequest(indexOf, spec, fds));
      } catch (err) {
        unbuilt = failedAt(offset, i, spec, err);
        break;
      }
      targets.push(spec.ns && fds.target(spec.ns as ExistingNsProvider));
    }
    const errors = batch.length ? socket.transactEach(batch).errors : [];
    const failed = errors.findIndex((e) => e !== undefined);
    if (failed >= 0) {
      const spec = specs[failed] as NewLinkSpec;
      const after = [...errors.keys()].filter((k) => k > failed && errors[k] === undefined);
      try {
        await undo(socket, there, specs, targets, after);
      } catch (err) {
        throw failedAt(offset, failed, spec, err);
      }
      const err = errors[failed];
      const target = targets[failed];
      const refusal = target === undefined ? creationRefusal(socket, spec, err) : await refusedThere(there, target, spec, err);
      throw failedAt(offset, failed, spec, refusal);
    }
    if (unbuilt) throw unbuilt;
    const found = await lookUp(socket, there, specs, targets);
    const first = found.findIndex((l) => l instanceof Error);
    if (first < 0) return (found as Link[]).map((link) => ({ link, results: [] }));
    // Every link of the datagram was made; one not found had gone already (someone deleted it meanwhile): it alone
    // failed. The others stay, done, and the run stops after them, as at any failure.
    const doneAfter = [...found.keys()].filter((k) => k > first && !(found[k] instanceof Error)).map((k) => offset + k);
    const spec = specs[first] as NewLinkSpec;
    throw new RunFailure(offset + first, providerFailure({ kind: "new", spec }, madeThenGone(spec.name, found[first])), doneAfter);
  } finally {
    fds.close();
  }
}

/**
 * Creates links as consecutive `na.link(new ...)` actions would, pipelined:
 * up to PIPELINE creations per datagram, then one datagram of lookups for
 * their kernel state (one per namespace they were made in, entered by
 * `there`). Throws a RunFailure naming the first that failed.
 */
export async function createLinks(socket: NetlinkSocket, specs: readonly NewLinkSpec[], there: There): Promise<LinkDoResult[]> {
  const indexOf = indexLookup(socket);
  const created: LinkDoResult[] = [];
  for (let start = 0; start < specs.length; start += PIPELINE) {
    created.push(...(await createChunk(socket, specs.slice(start, start + PIPELINE), indexOf, start, there)));
  }
  return created;
}

/**
 * Creates a link directly in the namespace `spec.ns` names (IFLA_NET_NS_FD),
 * from the socket's namespace, where the kernel looks its parent up and a
 * vxlan's socket stays: no move (the kernel waits ~30 ms on each), and
 * nothing of it is ever in the socket's namespace, under any name. Returns
 * it as found there, through the descriptor its request carried (a name
 * could lead to another namespace by then). A run of one: its failure is the
 * provider's.
 */
export async function createLinkIn(socket: NetlinkSocket, spec: NewLinkSpec, there: There): Promise<Link> {
  try {
    const [made] = await createLinks(socket, [spec], there);
    return (made as LinkDoResult).link;
  } catch (err) {
    throw err instanceof RunFailure ? err.error : err;
  }
}
