/**
 * What the kernel's errno means for the request that got it, where core has
 * a code of its own for that: a link name already taken (ERR_LINK_EXISTS),
 * an address or a route to delete that is not there (ERR_ADDR_NOT_FOUND,
 * ERR_IP_ROUTE_NOT_FOUND), a link gone or a link group empty
 * (ERR_LINK_NOT_FOUND). The kernel's error stays as the cause (isGone and
 * callers matching on errno still find it); any other refusal is returned as
 * it came, errno and extAck with it. Worker and calling thread both go
 * through here (socket-actions.ts).
 */
import type { LinkActionSpec } from "../actions/link-actions.js";
import type { RouteOp, RouteSpec } from "../actions/route-actions.js";
import { hasErrno } from "../errno.js";
import { AlreadyExistsError, NotFoundError } from "../errors.js";
import { describe, type NewLinkSpec } from "../links/providers.js";
import type { NetlinkSocket, Pending } from "../netlink/socket.js";
import { AF_INET6 } from "../validate/net.js";
import { isMissingLink, linksByName } from "./link-lookup.js";

/**
 * Whether the socket's namespace has a link of that name: asked after an
 * EEXIST, whose reply does not say which name. A lookup that cannot be made
 * says no, and the kernel's EEXIST is reported as it came.
 */
function hasLinkNamed(socket: NetlinkSocket, name: string): boolean {
  try {
    return !(linksByName(socket, [name])[0] instanceof Error);
  } catch {
    return false;
  }
}

const taken = (name: string, err: unknown, where = "") =>
  new AlreadyExistsError("link", `a link named "${name}" already exists${where}`, { cause: err });

/**
 * A refused RTM_NEWLINK. The kernel answers EEXIST, with no extAck, for the
 * link's own name and for a veth peer's; for another reason (a vxlan whose
 * VNI is in use) it says why in extAck, and that stays the error.
 */
export function creationRefusal(socket: NetlinkSocket, spec: NewLinkSpec, err: unknown): unknown {
  if (!hasErrno(err, "EEXIST")) return err;
  if (hasLinkNamed(socket, spec.name)) return taken(spec.name, err);
  const peer = spec.veth?.peer;
  if (peer === undefined) return err;
  // Its own name free, a veth's EEXIST is its peer's; that namespace has no socket here to ask.
  if (peer.ns) return taken(peer.name, err, " in the veth peer's namespace");
  return hasLinkNamed(socket, peer.name) ? taken(peer.name, err) : err;
}

/** A link change refused: `link` describes the link as the caller gave it (`name "eth0"`, `index 7`). */
export function changeRefusal(socket: NetlinkSocket, action: LinkActionSpec, link: string, err: unknown): unknown {
  if (isMissingLink(err)) return new NotFoundError("link", `the link with ${link} is gone`, { cause: err });
  if (action.kind === "delAddr" && hasErrno(err, "EADDRNOTAVAIL")) {
    const { address, prefixLen } = action.cidr;
    return new NotFoundError("address", `no address ${address}/${prefixLen} on the link with ${link}`, { cause: err });
  }
  const name = action.kind === "set" ? action.changes.name : undefined;
  if (name !== undefined && hasErrno(err, "EEXIST") && hasLinkNamed(socket, name)) return taken(name, err);
  return err;
}

/** A route as `ip route` writes it: `10.9.9.0/24 via 10.0.0.1 dev eth0 metric 5 table 7` (`dev alias "x"`, `dev index 7`). */
function routeText({ family, dst, dstLen, via, dev, metric, table }: RouteSpec): string {
  const to = dst === undefined ? `default${family === AF_INET6 ? " (IPv6)" : ""}` : `${dst}/${dstLen}`;
  const parts = [to, via && `via ${via}`, dev && `dev ${dev.kind === "name" ? dev.name : describe(dev)}`];
  if (metric !== undefined) parts.push(`metric ${metric}`);
  if (table !== undefined) parts.push(`table ${table}`);
  return parts.filter(Boolean).join(" ");
}

/**
 * A refused route change. For a delete, ESRCH is the kernel finding no such
 * route (or not even its table); ENOENT, IPv6's for a missing default route,
 * is it finding only the table's root, which holds none (6.18: `ip -6 route
 * del default`).
 */
export function routeRefusal(op: RouteOp, route: RouteSpec, err: unknown): unknown {
  const missing = op === "delete" && (hasErrno(err, "ESRCH") || hasErrno(err, "ENOENT"));
  return missing ? new NotFoundError("route", `no route ${routeText(route)} to delete`, { cause: err }) : err;
}

/** A refused RTM_DELLINK of a whole group: ENODEV is the kernel finding no link in it. */
export function groupDeleteRefusal(group: number, err: unknown): unknown {
  return isMissingLink(err) ? new NotFoundError("link", `no link in group ${group}`, { cause: err }) : err;
}

/** A link moved into a namespace that has a link of its name: the kernel refuses with EEXIST (no rename was asked). */
export function moveRefusal(name: string, err: unknown): unknown {
  return hasErrno(err, "EEXIST") ? taken(name, err, " in the target namespace") : err;
}

/** Sends one request; its refusal is thrown as `refusal` makes it. */
export function transactOne(socket: NetlinkSocket, pending: Pending, refusal: (err: unknown) => unknown): void {
  try {
    socket.transact([pending]);
  } catch (err) {
    throw refusal(err);
  }
}
