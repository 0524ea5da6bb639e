/**
 * The events of `watch()`: plain, JSON-serialisable data, each naming the
 * namespace it happened in (`netns`, as `ip` names a namespace: the name for
 * named namespaces, else the path the provider gave). Their links, addresses,
 * routes and neighbours are the kernel's numbers, as core's listings give
 * them; `toEventJSON` (@neslink/core/shapes) gives them as adapters print them.
 */
import type { Address, Link, Neighbour, Route } from "@neslink/codec-wasm";

/** Kinds of change a watch can subscribe to (each is a netlink multicast group, or a pair). */
export type WatchGroup = "link" | "address" | "route" | "neighbour" | "nsid";
export const WATCH_GROUPS: readonly WatchGroup[] = ["link", "address", "route", "neighbour", "nsid"];

/** A field of Link that differs between two versions of it. */
export type LinkField = keyof Link;

export type LinkEvent =
  | { type: "link"; action: "new"; netns: string; link: Link }
  /** `changed` lists the fields that differ from `previous` (operstate, flags, up, name, masterIndex, mtu, mac, ...). */
  | { type: "link"; action: "changed"; netns: string; link: Link; previous: Link; changed: LinkField[] }
  | { type: "link"; action: "deleted"; netns: string; link: Link };

/**
 * `dev` on an address, route or neighbour event: the name of the link it is on (a route's RTA_OIF), as the
 * namespace's state had it then; null for a route without one, or a link the stream never saw.
 */
export interface AddressEvent {
  type: "address";
  action: "new" | "deleted";
  netns: string;
  address: Address;
  dev: string | null;
}

/** `new` also for a route replaced in place (same destination, table and metric). */
export interface RouteEvent {
  type: "route";
  action: "new" | "deleted";
  netns: string;
  route: Route;
  dev: string | null;
}

export interface NeighbourEvent {
  type: "neighbour";
  action: "new" | "changed" | "deleted";
  netns: string;
  neighbour: Neighbour;
  dev: string | null;
}

/** The namespace `netns` gave (new) or took back (deleted) the id `nsid` of another namespace. */
export interface NsidEvent {
  type: "nsid";
  action: "new" | "deleted";
  netns: string;
  nsid: number;
}

/**
 * Events were lost, and the stream makes up for it before `synced`:
 * - `overflow`: the kernel dropped notifications (its receive queue
 *   overflowed: ENOBUFS). The namespace is dumped again, and what differs from
 *   what the stream said so far follows as ordinary events.
 * - `slow-consumer`: the consumer fell `maxQueued` events behind and the
 *   queued ones were dropped. Once it reads again, the namespace's whole state
 *   follows as `new` events: start again from an empty state.
 */
export interface ResyncEvent {
  type: "resync";
  netns: string;
  reason: "overflow" | "slow-consumer";
}

/** The namespace's state is known again after a `resync` (or, once, after the initial listing). */
export interface SyncedEvent {
  type: "synced";
  netns: string;
}

/**
 * The namespace is gone from the kernel (destroyed, not merely unnamed): nothing more will come from it.
 * In a watch of `{ named: true }`, also when its name is given to another namespace while it lives on
 * (someone holds it): what follows under the name is the other one's, listed first as `new` events.
 */
export interface GoneEvent {
  type: "gone";
  netns: string;
}

export type StateEvent = LinkEvent | AddressEvent | RouteEvent | NeighbourEvent;
export type WatchEvent = StateEvent | NsidEvent | ResyncEvent | SyncedEvent | GoneEvent;
