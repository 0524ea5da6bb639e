/**
 * JSON Schemas (2020-12) of the shapes adapters print (@neslink/core/shapes),
 * for documents such as the HTTP API's OpenAPI. A link's fields but the
 * renamed numbers are the codec's own schema (generated from its Rust types);
 * the rest are written here, each `properties` held to its type's keys by
 * `satisfies`: a field added to a shape fails typecheck until it is here.
 */
import { SCHEMAS } from "@neslink/codec-wasm/schemas";
import type { LinkJSON } from "./link.js";
import type { NetnsJSON } from "./netns.js";
import type { ChangeObject } from "../topology/changes.js";
import type { AddressJSON, NeighbourJSON, RouteGivenJSON, RouteJSON } from "./rows.js";

const nullable = (type: string, description: string) => ({ type: [type, "null"], description });
const text = (description: string) => ({ type: "string", description });
const named = (description: string) => text(`${description} A number iproute2 has no name for is written in decimal, still a string.`);
const names = (description: string) => ({ type: "array", items: { type: "string" }, description });
const family = { enum: ["inet", "inet6"], description: 'As `ip -j addr` names it: "inet" (IPv4) or "inet6".' };
const dev = text('The link it is on, by name ("#INDEX" for a link of no known name).');

const OPERSTATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

/** The codec's schema of the decoded Link (its `properties` generated from the same Rust type as `Link`). */
const link = SCHEMAS.Link as { properties: Record<keyof LinkJSON, object>; required: readonly string[] };

const Link = {
  ...link,
  description: "A link, as `link list --json` prints it: its numbers named as `ip -j link` names them.",
  properties: {
    ...link.properties,
    flags: names(
      'ifi_flags as `ip -j link` lists them, e.g. ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"] (no RUNNING; NO-CARRIER when up without it).',
    ),
    operstate: { enum: [...OPERSTATES, null], description: "IF_OPER_* as `ip -j link` writes it." },
    group: named('IFLA_GROUP as `ip -j link` names it: "default" (0), or its number ("7").'),
  } satisfies Record<keyof LinkJSON, object>,
};

const addressProperties = {
  dev,
  family,
  address: text('The address without its prefix length: "10.0.0.1".'),
  prefixLen: { type: "integer", minimum: 0, maximum: 128 },
  cidr: text('The address with its prefix length: "10.0.0.1/24".'),
  scope: named('As `ip -j addr` names it: "global", "link", "host", "site", "nowhere".'),
} satisfies Record<keyof AddressJSON, object>;

const routeGivenProperties = {
  to: text('"default", a CIDR, or a host route\'s address alone, as `ip -j route` writes its dst.'),
  family,
  via: nullable("string", "The gateway."),
  dev: { ...dev, type: ["string", "null"] },
  metric: nullable("integer", "RTA_PRIORITY (null: none given, the kernel's default)."),
  table: named('As `ip -j route` names it: "main", "local", "default", or its id ("100").'),
} satisfies Record<keyof RouteGivenJSON, object>;

const routeProperties = {
  ...routeGivenProperties,
  protocol: named('Who added it, as `ip -j route` names it: "kernel", "boot", "static", ....'),
  scope: named('As `ip -j route` names it: "global", "link", "host", ....'),
  type: named('As `ip -j route` names it: "unicast", "local", "broadcast", "multicast", ....'),
} satisfies Record<keyof RouteJSON, object>;

const neighbourProperties = {
  dev,
  family: { enum: ["inet", "inet6", "bridge"], description: '"bridge": a bridge\'s forwarding entry, with no IP address.' },
  address: nullable("string", "The neighbour's IP address (ip's dst)."),
  mac: nullable("string", "Its link-layer address (ip's lladdr)."),
  state: names('The NUD states set, as `ip -j neigh` lists them: ["REACHABLE"].'),
} satisfies Record<keyof NeighbourJSON, object>;

const netnsProperties = {
  name: text("Its entry's name in the mount dir (/run/netns), as `ip netns` names it."),
  id: {
    type: "integer",
    minimum: 0,
    description:
      "The id (nsid) the lister's namespace gives it, as `ip -j netns list` gives it: there only when it has one (`ip netns set NAME auto`, or one the kernel gave for a link whose peer is there).",
  },
} satisfies Record<keyof NetnsJSON, object>;

/** `optional`: the fields a value may leave out. */
const object = (title: string, description: string, properties: Record<string, object>, optional: readonly string[] = []) => ({
  title,
  description,
  type: "object",
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
});

/** Every ChangeObject: `satisfies` fails typecheck for one missing or unknown. */
const CHANGE_OBJECTS = Object.keys({
  netns: 0,
  link: 0,
  address: 0,
  route: 0,
  sysctl: 0,
  exec: 0,
  process: 0,
} satisfies Record<ChangeObject, 0>);

const when = (object: ChangeObject, then: object, otherwise?: object) => ({
  if: { properties: { object: { const: object } } },
  then,
  ...(otherwise && { else: otherwise }),
});

/**
 * A plan's change (core's `Change`): what it is to (`object`) and where, required of every one; a link's, its kind;
 * an address's and a route's, what they are. The fields of each object's changes are core's `Change` type's.
 */
const Change = {
  title: "Change",
  description:
    "A change of a plan (`plan --json`'s `changes`, inspect's `drift`, apply's): `object` what it is to, a link's `kind` its kind.",
  type: "object",
  required: ["op", "object", "node", "netns"],
  properties: {
    op: { enum: ["create", "update", "delete"] },
    object: { enum: CHANGE_OBJECTS, description: "As ip names its objects (netns, link, address, route), and neslink's own." },
    node: text('The node ("" for a host link, or a namespace\'s program with no node left).'),
    netns: text("The node's namespace (\"\" for the host's)."),
    kind: {
      type: ["string", "null"],
      description: 'A link\'s kind, as `link list` gives it ("veth", "bridge"...; null: the kernel names none).',
    },
    name: text("A link's, a sysctl's or a program's name."),
    dev: text("An address's link."),
    cidr: text('An address with its prefix length: "10.0.0.1/24".'),
    reason: text(
      "Why, where a plan says: a link made again, an exec entry's record, an IPv4 secondary address the kernel deletes with its primary made again.",
    ),
    route: {
      type: "object",
      description: "A route as `route add` and `route del --json` give it.",
      required: Object.keys(routeGivenProperties),
      properties: routeGivenProperties,
    },
  },
  allOf: [
    when("link", { required: ["kind", "name"] }, { not: { required: ["kind"] } }),
    when("address", { required: ["dev", "cidr"] }),
    when("route", { required: ["route"] }),
  ],
};

/** The schemas by the names the shapes have in documents. */
export const SHAPE_SCHEMAS = {
  Link,
  Address: object("Address", "An address, as `addr list --json` prints it.", addressProperties),
  Route: object("Route", "A route, as `route list --json` prints it.", routeProperties),
  RouteGiven: object(
    "RouteGiven",
    "A route as given to a change: as `route add/del --json` print it, and a plan's route change.",
    routeGivenProperties,
  ),
  Neighbour: object("Neighbour", "A neighbour, as `monitor --json` prints it.", neighbourProperties),
  Change,
  Netns: object("Netns", "A named namespace, as `ns list --json` prints it and `ip -j netns list` gives it.", netnsProperties, ["id"]),
} as const;
