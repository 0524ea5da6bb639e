/**
 * Creating a link: its RTM_NEWLINK request, the namespace descriptors a veth
 * peer or a link made elsewhere needs open until the kernel has it, and how a
 * link provider's failure is reported.
 */
import type { Link, NewLinkRequest, OptionedKind } from "@neslink/codec-wasm";
import { hasErrno } from "../errno.js";
import { KindUnsupportedError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { describe, type LinkProvider, type NewLinkSpec } from "../links/providers.js";
import { openProviderNs } from "../namespace/entry.js";
import type { ExistingNsProvider } from "../namespace/providers.js";
import type { NetlinkSocket, Pending, RequestBody } from "../netlink/socket.js";
import { LinkFailure } from "./failures.js";
import { findLink, type IndexOf, indexLookup, madeThenGone } from "./link-lookup.js";
import { creationRefusal } from "./refusals.js";

/** Opens the namespace files requests name; all closed by `close`. */
export class PeerNsFds {
  readonly #open: number[] = [];
  /** Targets of links made elsewhere, by provider: a run's links for one node share one descriptor, so one lookup there. */
  readonly #targets = new Map<string, number>();
  open(ns: ExistingNsProvider): number {
    const fd = openProviderNs(ns, process.pid);
    this.#open.push(fd);
    return fd;
  }
  /** The namespace a link is made in (`spec.ns`), opened once for every link that names it alike. */
  target(ns: ExistingNsProvider): number {
    const key = JSON.stringify(ns);
    let fd = this.#targets.get(key);
    if (fd === undefined) {
      fd = this.open(ns);
      this.#targets.set(key, fd);
    }
    return fd;
  }
  close(): void {
    this.#targets.clear();
    for (const fd of this.#open.splice(0)) libc.close(fd);
  }
}

/** A kind's options as the codec takes them: the same, but a veth peer's namespace as an open fd. */
function codecOptions(spec: NewLinkSpec, fds: PeerNsFds): unknown {
  const options = spec[spec.type as OptionedKind];
  if (spec.type !== "veth" || !spec.veth?.peer.ns) return options;
  const { ns, ...peer } = spec.veth.peer;
  return { peer: { ...peer, nsFd: fds.open(ns) } };
}

export function newLinkRequest(indexOf: IndexOf, spec: NewLinkSpec, fds: PeerNsFds): Pending {
  const { name, type: kind, mtu, mac, group, master, parent, up, ns } = spec;
  const request: Omit<NewLinkRequest, "seq"> = { type: "newLink", name, kind };
  let options = codecOptions(spec, fds);
  // A vxlan's underlay is IFLA_VXLAN_LINK, among its options, as iproute2's `dev` after `type vxlan`: the kernel reads no IFLA_LINK for one.
  const underlay = kind === "vxlan";
  if (underlay && parent) options = { ...(options as object), parentIndex: indexOf(parent) };
  Object.assign(
    request,
    mtu !== undefined && { mtu },
    mac !== undefined && { mac },
    group !== undefined && { group },
    up !== undefined && { up },
    master && { masterIndex: indexOf(master) },
    parent && !underlay && { parentIndex: indexOf(parent) },
    options !== undefined && { [kind]: options },
    ns && { nsFd: fds.target(ns) },
  );
  return { request: request as RequestBody, label: `RTM_NEWLINK (${kind})` };
}

/** A link provider as errors name it: `link provider (new bridge "br0")`, `link provider (name "eth0")`. */
function providerName(provider: LinkProvider): string {
  return `link provider (${provider.kind === "new" ? `new ${provider.spec.type} "${provider.spec.name}"` : describe(provider)})`;
}

/** The kernel's answer for a link kind it has no driver for (not built in, module not loaded). */
const lacksKind = (err: unknown) => hasErrno(err, "EOPNOTSUPP") && (err as { extAck?: unknown }).extAck === "Unknown device type";

/** How a link provider's failure is reported, pipelined or not: a kind the kernel lacks says so. */
export function providerFailure(provider: LinkProvider, err: unknown): LinkFailure {
  const cause = provider.kind === "new" && lacksKind(err) ? new KindUnsupportedError(provider.spec.type, err) : err;
  return new LinkFailure(-1, providerName(provider), cause);
}

/**
 * Runs `fn` on a socket of the namespace open as `targetFd`: how a link made
 * or moved there is found (or undone) there. A worker enters it; the calling
 * thread opens a socket inside it.
 */
export type There = <T>(targetFd: number, fn: (socket: NetlinkSocket) => T) => T | Promise<T>;

/** A link made in another namespace, found there by name, through that namespace's open descriptor. */
export const findThere = (there: There, targetFd: number, name: string): Link | Promise<Link> =>
  there(targetFd, (socket) => findLink(socket, { kind: "name", name }));

/** Creates one link and returns it as the kernel reports it. */
export function createLink(socket: NetlinkSocket, spec: NewLinkSpec): Link {
  const fds = new PeerNsFds();
  try {
    socket.transact([newLinkRequest(indexLookup(socket), spec, fds)]);
  } catch (err) {
    throw creationRefusal(socket, spec, err);
  } finally {
    fds.close();
  }
  try {
    return findLink(socket, { kind: "name", name: spec.name });
  } catch (err) {
    throw madeThenGone(spec.name, err);
  }
}
