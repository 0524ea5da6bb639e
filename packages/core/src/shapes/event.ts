/**
 * `watch()`'s events as every adapter prints them: the link, address, route
 * or neighbour of each in the shape a listing gives it (link list, addr list,
 * route list), so that one jq filter reads both.
 */
import type { AddressEvent, LinkEvent, NeighbourEvent, RouteEvent, WatchEvent } from "../events/types.js";
import { type LinkJSON, toLinkJSON } from "./link.js";
import {
  type AddressJSON,
  type NameOf,
  type NeighbourJSON,
  type RouteJSON,
  toAddressJSON,
  toNeighbourJSON,
  toRouteJSON,
  unnamed,
} from "./rows.js";

/** A link event, its link (and the one before a change) as `link list` gives it. */
type WithLinkJSON<E extends LinkEvent> = E extends { action: "changed" }
  ? Omit<E, "link" | "previous"> & { link: LinkJSON; previous: LinkJSON }
  : Omit<E, "link"> & { link: LinkJSON };

export type LinkEventJSON = WithLinkJSON<LinkEvent>;

/** Core's envelope of an event, `dev` left out: the row has it. */
type Envelope<E extends { dev: string | null }, K extends string> = Omit<E, "dev" | K>;

export type WatchEventJSON =
  | Exclude<WatchEvent, LinkEvent | AddressEvent | RouteEvent | NeighbourEvent>
  | LinkEventJSON
  | (Envelope<AddressEvent, "address"> & { address: AddressJSON })
  | (Envelope<RouteEvent, "route"> & { route: RouteJSON })
  | (Envelope<NeighbourEvent, "neighbour"> & { neighbour: NeighbourJSON });

/** The link's name core gave the event (the index it names is the row's own), or `#INDEX` as a list shows one it lacks. */
const knownAs =
  (dev: string | null): NameOf =>
  (index) =>
    dev ?? unnamed(index);

export function toEventJSON(e: WatchEvent): WatchEventJSON {
  switch (e.type) {
    case "link":
      return e.action === "changed"
        ? { ...e, link: toLinkJSON(e.link), previous: toLinkJSON(e.previous) }
        : { ...e, link: toLinkJSON(e.link) };
    case "address": {
      const { dev, address, ...envelope } = e;
      return { ...envelope, address: toAddressJSON(address, knownAs(dev)) };
    }
    case "route": {
      const { dev, route, ...envelope } = e;
      return { ...envelope, route: toRouteJSON(route, knownAs(dev)) };
    }
    case "neighbour": {
      const { dev, neighbour, ...envelope } = e;
      return { ...envelope, neighbour: toNeighbourJSON(neighbour, knownAs(dev)) };
    }
    default:
      return e;
  }
}
