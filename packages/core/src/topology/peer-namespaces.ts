/**
 * Which of a lab's namespaces each veth's far end lives in. A link names the
 * namespace of its peer by an nsid, the number its own namespace gives that
 * one: numbers of different namespaces do not compare, and indexes alone pair
 * ends wrongly wherever pairs repeat (in a chain of routers each link joins
 * an index 3 to an index 2). So one namespace of the lab, the reference, is
 * given an id for each of the others, and the kernel translates every other
 * one's ids into the reference's (a RTM_GETNSID dump aimed at it). The ids
 * given stay inside the lab's namespace and go with it; the caller's
 * namespace is given none. A plan also asks which of them names the caller's
 * namespace (the host, where a lab's vxlans and macvlans are made from): the
 * reference is given an id for it too.
 */
import * as libc from "../ffi/libc.js";
import { mayLeaveBriefly } from "../namespace/brief-switch.js";
import { withInside } from "../namespace/inside.js";
import * as ns from "../namespace/providers.js";
import { openProviderNs } from "../namespace/entry.js";
import { MAX_CACHED_BATCH } from "../netlink/encoded.js";
import { idsSeenFrom, nsidsOf } from "../netlink/nsid.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { existingNsProvider } from "../validate/providers.js";
import { HOST } from "./live.js";

/** For a namespace of the lab: the lab's namespace (by entry name) each of its nsids names; in labNamespaceIds, the host's as HOST. */
export type PeerNamespaces = ReadonlyMap<string, ReadonlyMap<number, string>>;

/**
 * Namespaces asked about in one datagram: their descriptors are open together, so few; as many as a batch whose
 * encoding is kept (encoded.ts), which a plan's same few descriptor numbers then reuse.
 */
const ASKED_AT_ONCE = MAX_CACHED_BATCH;

/** A descriptor on the namespace `name` names (HOST: the caller's), checked as a worker checks it; undefined if it is gone. */
function openNamed(name: string): number | undefined {
  try {
    // Not compared with the calling thread's own (openTarget's `own`): not needed here.
    return openProviderNs(existingNsProvider("provider", name === HOST ? ns.now() : ns.name(name)), process.pid);
  } catch {
    return undefined;
  }
}

/** For the namespace the reference knows as `id`: each id it gives, with the reference's for the same namespace; undefined if it went meanwhile. */
function translation(socket: NetlinkSocket, id: number): Map<number, number> | undefined {
  try {
    return idsSeenFrom(socket, id);
  } catch {
    return undefined;
  }
}

/**
 * What the reference (its socket's namespace) tells of the lab's namespaces: the id it gives each one asked about
 * (`ask`), and, for those it translates (`peers`), what their own ids name.
 */
export class ReferenceIds {
  /** The lab's namespace (or HOST) each id of the reference names. */
  readonly #named = new Map<number, string>();
  /** The reference's id of each namespace asked about that has one. */
  readonly #ids = new Map<string, number>();
  readonly #socket: NetlinkSocket;

  constructor(socket: NetlinkSocket) {
    this.#socket = socket;
  }

  /**
   * Asks the id the reference gives each of `names` (the lab's namespaces by entry name; HOST, the caller's), giving
   * one where it has none. One gone meanwhile, or being destroyed (given no id), is left out. The reference itself
   * too: a namespace may give itself an id, which is how the others' links to it are told.
   */
  ask(names: readonly string[]): void {
    for (let at = 0; at < names.length; at += ASKED_AT_ONCE) {
      const part = names.slice(at, at + ASKED_AT_ONCE);
      const fds = part.map(openNamed);
      try {
        const ids = nsidsOf(this.#socket, fds);
        part.forEach((name, i) => {
          const id = ids[i] as number;
          if (id < 0) return;
          this.#named.set(id, name);
          this.#ids.set(name, id);
        });
      } catch {
        // The socket itself failed (a reply that never came): none of these is told.
      } finally {
        for (const fd of fds) if (fd !== undefined) libc.close(fd);
      }
    }
  }

  /** Whether every one of `names` was given an id. */
  has(names: readonly string[]): boolean {
    return names.every((name) => this.#ids.has(name));
  }

  /**
   * The reference's ids (as PeerNamespaces, under `reference`), and those of each of `translate` that was asked about,
   * translated through the reference; one that went meanwhile is left out, as not told.
   */
  peers(reference: string, translate: (netns: string) => boolean): Map<string, Map<number, string>> {
    const peers = new Map<string, Map<number, string>>([[reference, this.#named]]);
    for (const [name, id] of this.#ids) {
      if (name === reference || name === HOST || !translate(name)) continue;
      const seen = translation(this.#socket, id);
      if (seen === undefined) continue;
      const own = new Map<number, string>();
      // Each of its ids with the reference's for the same namespace.
      for (const [referenceId, theirs] of seen) {
        const peer = this.#named.get(referenceId);
        if (peer !== undefined) own.set(theirs, peer);
      }
      peers.set(name, own);
    }
    return peers;
  }
}

/**
 * What the reference's socket tells: the ids of the reference itself and of each of `translate` (as PeerNamespaces),
 * naming the namespaces of `netns` (and, with `host`, the host as HOST); `complete`: every one of them was given an id.
 */
function readIds(socket: NetlinkSocket, netns: readonly string[], host: boolean, translate: (netns: string) => boolean) {
  const wanted = host ? [...netns, HOST] : netns;
  const ids = new ReferenceIds(socket);
  ids.ask(wanted);
  return { peers: ids.peers(netns[0] as string, translate), complete: ids.has(wanted) };
}

/**
 * Where the reference (the first of `netns`) can be stepped into, `read` given its socket; else, or if the reference
 * cannot be opened (gone since it was read), `none`.
 */
function fromReference<T>(netns: readonly string[], read: (socket: NetlinkSocket) => T, none: T): Promise<T> {
  const [reference] = netns;
  if (reference === undefined || !mayLeaveBriefly()) return Promise.resolve(none);
  return withInside(ns.name(reference), (err) => err as Error, read).catch(() => none);
}

/**
 * For each of `netns` (the lab's namespaces, read as they are now), the lab's namespace each of its nsids names; a
 * namespace that went meanwhile, or an id naming one outside the lab, is left out. Empty where the calling thread may
 * not step into another namespace (mayLeaveBriefly) to open the reference's socket, or the reference cannot be
 * opened (gone since it was read): what it tells only makes the pairing exact, and graph pairs by indexes without it.
 */
export function peerNamespaces(netns: readonly string[]): Promise<PeerNamespaces> {
  return fromReference(netns, (socket) => readIds(socket, netns, false, () => true).peers, new Map());
}

/**
 * For a plan: what the nsids of the reference (the first of `netns`) and of each of `translate` name, one of `netns`
 * or the host namespace (the caller's) as HOST; an id a told namespace's entry lacks names a namespace outside the
 * lab. Only the namespaces a plan must judge are translated (a RTM_GETNSID dump each): a veth to the reference is
 * judged from the reference's side alone. Empty (nothing told) unless the reference gave every one of `netns` and the
 * host an id: a namespace missed would make every link to it look outside the lab.
 */
export function labNamespaceIds(netns: readonly string[], translate: ReadonlySet<string>): Promise<PeerNamespaces> {
  return fromReference(
    netns,
    (socket) => {
      const { peers, complete } = readIds(socket, netns, true, (name) => translate.has(name));
      return complete ? peers : new Map();
    },
    new Map(),
  );
}
