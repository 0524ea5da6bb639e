/**
 * The state of one namespace as an event stream describes it: links,
 * addresses, routes and neighbours, keyed as the kernel identifies them.
 * The listener keeps one per watched namespace to turn kernel messages into
 * events (is this link new, or changed, and how?) and to diff a re-dump
 * against what it already said; a consumer can keep one too and rebuild the
 * namespace's state from the stream alone (`applyEvent`).
 */
import type { Address, Link, Message, Neighbour, Route } from "@neslink/codec-wasm";
import type { LinkField, StateEvent } from "./types.js";

export interface NamespaceState {
  links: Map<number, Link>;
  addresses: Map<string, Address>;
  routes: Map<string, Route>;
  neighbours: Map<string, Neighbour>;
}

export function emptyState(): NamespaceState {
  return { links: new Map(), addresses: new Map(), routes: new Map(), neighbours: new Map() };
}

/** An address is its link, family, local address and prefix (IFA_LOCAL, or IFA_ADDRESS when there is none). */
export function addressKey(a: Address): string {
  return `${a.index}|${a.family}|${a.local ?? a.address}/${a.prefixLen}`;
}

/** A route is its table, family, destination and metric, as the kernel matches them (and the link, for routes the kernel keeps per link). */
export function routeKey(r: Route): string {
  return `${r.table}|${r.family}|${r.type}|${r.dst ?? "default"}/${r.dstLen}|${r.metric ?? 0}|${r.oifIndex ?? 0}`;
}

export function neighbourKey(n: Neighbour): string {
  return `${n.index}|${n.family}|${n.dst ?? ""}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function linkChanges(previous: Link, link: Link): LinkField[] {
  return (Object.keys(link) as LinkField[]).filter((k) => !same(previous[k], link[k]));
}

/** Names of links by index, for a lookup that finds none in the state (see Watched.departed in listener.ts). */
export type LinkNames = ReadonlyMap<number, string>;

const NO_NAMES: LinkNames = new Map();

/**
 * The name of link `index` in the first of `states` that has it, else in
 * `departed`; null when none has it, or for no link (a route without RTA_OIF).
 */
function devOf(index: number | null, states: readonly NamespaceState[], departed: LinkNames): string | null {
  if (index === null) return null;
  for (const state of states) {
    const link = state.links.get(index);
    if (link) return link.name;
  }
  return departed.get(index) ?? null;
}

/**
 * The event a kernel message means for `state` (nothing if it changes nothing), without applying it. What sits
 * on a link is named by the link's name in `state`, else in `departed`.
 */
export function eventOf(state: NamespaceState, netns: string, msg: Message, departed: LinkNames = NO_NAMES): StateEvent | undefined {
  switch (msg.kind) {
    case "link": {
      const previous = state.links.get(msg.link.index);
      if (msg.name === "RTM_DELLINK") return previous && { type: "link", action: "deleted", netns, link: msg.link };
      if (!previous) return { type: "link", action: "new", netns, link: msg.link };
      const changed = linkChanges(previous, msg.link);
      return changed.length > 0 ? { type: "link", action: "changed", netns, link: msg.link, previous, changed } : undefined;
    }
    case "address": {
      const { address } = msg;
      const known = state.addresses.get(addressKey(address));
      const dev = devOf(address.index, [state], departed);
      if (msg.name === "RTM_DELADDR") return known && { type: "address", action: "deleted", netns, address, dev };
      return known && same(known, address) ? undefined : { type: "address", action: "new", netns, address, dev };
    }
    case "route": {
      const { route } = msg;
      const known = state.routes.get(routeKey(route));
      const dev = devOf(route.oifIndex, [state], departed);
      if (msg.name === "RTM_DELROUTE") return known && { type: "route", action: "deleted", netns, route, dev };
      return known && same(known, route) ? undefined : { type: "route", action: "new", netns, route, dev };
    }
    case "neighbour": {
      const { neighbour } = msg;
      const known = state.neighbours.get(neighbourKey(neighbour));
      const dev = devOf(neighbour.index, [state], departed);
      if (msg.name === "RTM_DELNEIGH") return known && { type: "neighbour", action: "deleted", netns, neighbour, dev };
      if (known && same(known, neighbour)) return undefined;
      return { type: "neighbour", action: known ? "changed" : "new", netns, neighbour, dev };
    }
    default:
      return undefined;
  }
}

/** Applies an event of the stream to a namespace's state (the consumer's side of eventOf). */
export function applyEvent(state: NamespaceState, event: StateEvent): void {
  const gone = event.action === "deleted";
  switch (event.type) {
    case "link":
      if (gone) state.links.delete(event.link.index);
      else state.links.set(event.link.index, event.link);
      return;
    case "address":
      if (gone) state.addresses.delete(addressKey(event.address));
      else state.addresses.set(addressKey(event.address), event.address);
      return;
    case "route":
      if (gone) state.routes.delete(routeKey(event.route));
      else state.routes.set(routeKey(event.route), event.route);
      return;
    case "neighbour":
      if (gone) state.neighbours.delete(neighbourKey(event.neighbour));
      else state.neighbours.set(neighbourKey(event.neighbour), event.neighbour);
      return;
  }
}

/** A dump's messages as a state. */
export function stateOf(messages: readonly Message[]): NamespaceState {
  const state = emptyState();
  for (const msg of messages) {
    const event = eventOf(state, "", msg);
    if (event) applyEvent(state, event);
  }
  return state;
}

function diffMap<T>(
  before: Map<string | number, T>,
  after: Map<string | number, T>,
  deleted: (item: T) => StateEvent,
  added: (item: T, previous: T | undefined) => StateEvent,
): StateEvent[] {
  const out: StateEvent[] = [];
  for (const [key, item] of before) if (!after.has(key)) out.push(deleted(item));
  for (const [key, item] of after) {
    const previous = before.get(key);
    if (previous === undefined || !same(previous, item)) out.push(added(item, previous));
  }
  return out;
}

/**
 * The events that take `before` to `after` (a fresh dump): deletions first
 * within each kind, links before what sits on them when adding, after when
 * deleting (as the kernel orders its own notifications). What sits on a link
 * is named by the link's name in `after` when added, in `before` (else
 * `after`, else `departed`) when deleted.
 */
export function diffStates(netns: string, before: NamespaceState, after: NamespaceState, departed: LinkNames = NO_NAMES): StateEvent[] {
  const added = (index: number | null) => devOf(index, [after], NO_NAMES);
  const deleted = (index: number | null) => devOf(index, [before, after], departed);
  const links = diffMap<Link>(
    before.links,
    after.links,
    (link) => ({ type: "link", action: "deleted", netns, link }),
    (link, previous) =>
      previous
        ? { type: "link", action: "changed", netns, link, previous, changed: linkChanges(previous, link) }
        : { type: "link", action: "new", netns, link },
  );
  const rest = [
    ...diffMap<Address>(
      before.addresses,
      after.addresses,
      (address) => ({ type: "address", action: "deleted", netns, address, dev: deleted(address.index) }),
      (address) => ({ type: "address", action: "new", netns, address, dev: added(address.index) }),
    ),
    ...diffMap<Route>(
      before.routes,
      after.routes,
      (route) => ({ type: "route", action: "deleted", netns, route, dev: deleted(route.oifIndex) }),
      (route) => ({ type: "route", action: "new", netns, route, dev: added(route.oifIndex) }),
    ),
    ...diffMap<Neighbour>(
      before.neighbours,
      after.neighbours,
      (neighbour) => ({ type: "neighbour", action: "deleted", netns, neighbour, dev: deleted(neighbour.index) }),
      (neighbour, previous) => ({
        type: "neighbour",
        action: previous ? "changed" : "new",
        netns,
        neighbour,
        dev: added(neighbour.index),
      }),
    ),
  ];
  const isDeletion = (e: StateEvent) => e.action === "deleted";
  return [
    ...rest.filter(isDeletion),
    ...links.filter(isDeletion),
    ...links.filter((e) => !isDeletion(e)),
    ...rest.filter((e) => !isDeletion(e)),
  ];
}
