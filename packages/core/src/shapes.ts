/**
 * @neslink/core/shapes — core's links, addresses, routes, neighbours and
 * `watch()` events as every adapter prints them (the CLI's --json, the HTTP
 * API): one shape each, valued as `ip -j` writes them (names, not numbers:
 * a route's "main" table, a link's ["BROADCAST", "UP"] flags). Plain
 * functions over plain data: loading it loads neither koffi nor the codec.
 */
export { toEventJSON, type LinkEventJSON, type WatchEventJSON } from "./shapes/event.js";
export {
  groupName,
  linkFlagNames,
  neighbourStateNames,
  type OperStateName,
  operstateName,
  protocolName,
  RT_TABLE_MAIN,
  routeTypeName,
  scopeName,
  TABLE_NAMES,
  tableId,
  tableName,
} from "./shapes/iproute-names.js";
export { type LinkJSON, toLinkJSON } from "./shapes/link.js";
export type { NetnsJSON } from "./shapes/netns.js";
export {
  type AddressGivenJSON,
  type AddressJSON,
  addressGiven,
  type IpFamily,
  ipFamily,
  linkNames,
  type NameOf,
  type NeighbourJSON,
  type Prefixed,
  prefixed,
  type RouteGiven,
  type RouteGivenJSON,
  type RouteJSON,
  routeGiven,
  routeTo,
  toAddressJSON,
  toNeighbourJSON,
  toRouteJSON,
  unnamed,
} from "./shapes/rows.js";
