/**
 * Looking links and addresses up on a namespace's socket: one link by name,
 * index or alias, many by name in one datagram, and whole listings.
 */
import type { Link, Message } from "@neslink/codec-wasm";
import { hasErrno } from "../errno.js";
import { NotFoundError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { describe, type LinkRef } from "../links/providers.js";
import { LINK_EXT_MASK, listLinks } from "../netlink/dumps.js";
import type { NetlinkSocket, Pending } from "../netlink/socket.js";

export type NameOrIndex = Extract<LinkRef, { kind: "name" | "index" }>;

/** The kernel's answer for a link it does not have. */
export const isMissingLink = (err: unknown) => hasErrno(err, "ENODEV");

/** RTM_GETLINK for one link, by name or index. */
export function getLinkRequest(ref: NameOrIndex): Pending {
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
    if (!isMissingLink(err)) throw err;
  }
  throw new NotFoundError("link", `no link with ${describe(ref)}`);
}

/**
 * A link's index: by name with SIOCGIFINDEX on the namespace's socket, which
 * builds no message and, unlike RTM_GETLINK, does not make the kernel settle
 * the link's pending state change first (for a link without carrier that
 * waits for an RCU grace period); otherwise, and on a socket whose requests
 * act elsewhere (its ioctls would look in its own namespace), as findLink.
 */
export function indexOfLink(socket: NetlinkSocket, ref: LinkRef): number {
  if (ref.kind !== "name" || !socket.local) return findLink(socket, ref).index;
  try {
    return libc.ifIndex(socket.fd, ref.name);
  } catch (err) {
    if (isMissingLink(err)) throw new NotFoundError("link", `no link with ${describe(ref)}`);
    throw err;
  }
}

/** An existing link's index from its reference. */
export type IndexOf = (ref: LinkRef) => number;

/** Looks each reference up once: a run of creations usually names the same bridge again and again. */
export function indexLookup(socket: NetlinkSocket): IndexOf {
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

/**
 * Why a link just made (its creation acknowledged) was not found where it was made: someone deleted, renamed or
 * moved it in between. Any other reason the lookup failed is returned as it is.
 */
export function madeThenGone(name: string, err: unknown): unknown {
  if (!(err instanceof NotFoundError)) return err;
  return new NotFoundError("link", `link "${name}" was made, then gone before it could be read back (deleted, renamed or moved meanwhile)`);
}

/** Fetches links by name, many per datagram: each one's link, or why it could not be had. */
export function linksByName(socket: NetlinkSocket, names: readonly string[]): (Link | Error)[] {
  const { replies, errors } = socket.transactEach(names.map((name) => getLinkRequest({ kind: "name", name })));
  return names.map((name, i) => {
    const msg = (replies[i] as Message[]).find((m) => m.kind === "link");
    if (msg?.kind === "link") return msg.link;
    const err = errors[i];
    return err && !isMissingLink(err) ? err : new NotFoundError("link", `no link named "${name}"`);
  });
}
