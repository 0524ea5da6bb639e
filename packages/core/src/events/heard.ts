/**
 * What a listener hears, given what its consumer asked for. The kernel
 * removes routes and neighbours without a word when a link goes down or away,
 * or an IPv4 address goes (see marksStale in listener.ts): a watch of routes
 * or neighbours alone sees that only through link and address notifications,
 * so it hears and keeps those too, and emits none of them. A watch of
 * addresses hears links to name the link each is on (the events' `dev`).
 */
import type { WatchGroup } from "./types.js";

export function heardGroups(groups: readonly WatchGroup[]): WatchGroup[] {
  const heard = new Set(groups);
  if (heard.has("route") || heard.has("neighbour")) heard.add("address");
  if (heard.has("address")) heard.add("link");
  return [...heard];
}
