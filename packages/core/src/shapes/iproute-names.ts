/**
 * The names `ip -j` gives to what netlink carries as numbers, so that a jq
 * filter written against iproute2's output (`select(.protocol == "kernel")`,
 * `select(.table == "main")`, `.flags | index("UP")`) reads neslink's. The
 * tables are iproute2's own as it ships them (/etc/iproute2/rt_protos,
 * rt_scopes, rt_tables and group, iproute2 6.1), not read from the system at
 * run time: the same number gives the same name on every host. A number they
 * do not name is written as ip writes it, in decimal, still a string, so the
 * field has one type.
 */
import type { OperState } from "@neslink/codec-wasm";

type Names = Readonly<Record<number, string>>;

const named = (table: Names) => (value: number) => table[value] ?? String(value);

/** rt_protos: rtm_protocol, RTPROT_* of linux/rtnetlink.h. */
const RT_PROTOS: Names = {
  0: "unspec",
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  8: "gated",
  9: "ra",
  10: "mrt",
  11: "zebra",
  12: "bird",
  13: "dnrouted",
  14: "xorp",
  15: "ntk",
  16: "dhcp",
  18: "keepalived",
  42: "babel",
  99: "openr",
  186: "bgp",
  187: "isis",
  188: "ospf",
  189: "rip",
  192: "eigrp",
};

/** rt_scopes: ifa_scope / rtm_scope, RT_SCOPE_* of linux/rtnetlink.h. */
const RT_SCOPES: Names = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };

/** rt_tables: RT_TABLE_* of linux/rtnetlink.h. */
const RT_TABLES: Names = { 0: "unspec", 253: "default", 254: "main", 255: "local" };
/** Where the kernel adds, replaces, deletes and looks up a route given no table. */
export const RT_TABLE_MAIN = 254;

/** group: IFLA_GROUP; iproute2 ships only the kernel's default group's name. */
const GROUPS: Names = { 0: "default" };

/** rtm_type, RTN_* of linux/rtnetlink.h, as iproute2's rtnl_rtntype_n2a names them (it has no file for them). */
const RTN_TYPES: Names = {
  0: "none",
  1: "unicast",
  2: "local",
  3: "broadcast",
  4: "anycast",
  5: "multicast",
  6: "blackhole",
  7: "unreachable",
  8: "prohibit",
  9: "throw",
  10: "nat",
  11: "xresolve",
};

/** A route's origin as `ip -j route` names it: "kernel", "boot", ..., or its number ("200"). */
export const protocolName = named(RT_PROTOS);

/** An address's or route's scope as `ip -j` names it: "global", "link", "host", ..., or its number ("100"). */
export const scopeName = named(RT_SCOPES);

/** A routing table as `ip -j route` names it: "main", "local", "default", or its id ("100"). */
export const tableName = named(RT_TABLES);

/** RT_TABLE_UNSPEC: what the kernel reads as no table given, so no table a route is in or a listing can name. */
const RT_TABLE_UNSPEC = 0;
const NAMED_TABLES = Object.entries(RT_TABLES).filter(([id]) => Number(id) !== RT_TABLE_UNSPEC);
/** The tables a route can be in that iproute2 names, as `ip route ... table NAME` takes them: "default", "main", "local". */
export const TABLE_NAMES: readonly string[] = NAMED_TABLES.map(([, name]) => name);
/** The id of a table of TABLE_NAMES ("main": 254); undefined for any other word. */
export function tableId(name: string): number | undefined {
  const found = NAMED_TABLES.find(([, n]) => n === name);
  return found === undefined ? undefined : Number(found[0]);
}
/** A link group as `ip -j link` names it: "default" (0), or its number ("7"). */
export const groupName = named(GROUPS);

/** A route's type as `ip -j route` names it: "unicast", "local", "broadcast", ... */
export const routeTypeName = named(RTN_TYPES);

const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

/** ifi_flags' IFF_* bits in the order iproute2's print_link_flags writes them. */
const LINK_FLAGS: readonly [number, string][] = [
  [0x8, "LOOPBACK"],
  [0x2, "BROADCAST"],
  [0x10, "POINTOPOINT"],
  [0x1000, "MULTICAST"],
  [0x80, "NOARP"],
  [0x200, "ALLMULTI"],
  [0x100, "PROMISC"],
  [0x400, "MASTER"],
  [0x800, "SLAVE"],
  [0x4, "DEBUG"],
  [0x8000, "DYNAMIC"],
  [0x4000, "AUTOMEDIA"],
  [0x2000, "PORTSEL"],
  [0x20, "NOTRAILERS"],
  [IFF_UP, "UP"],
  [0x10000, "LOWER_UP"],
  [0x20000, "DORMANT"],
  [0x40000, "ECHO"],
];

/**
 * A link's flags as `ip -j link` lists them: RUNNING left out, NO-CARRIER
 * first when the link is up without it, bits it has no name for as one hex
 * string. Not ip's M-DOWN, which is another link's state (the parent's or
 * peer's, looked up by index) and not this link's flag.
 */
export function linkFlagNames(flags: number): string[] {
  const names = (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) === 0 ? ["NO-CARRIER"] : [];
  let rest = flags & ~IFF_RUNNING;
  for (const [bit, name] of LINK_FLAGS) {
    if ((rest & bit) === 0) continue;
    names.push(name);
    rest &= ~bit;
  }
  // >>> 0: the bits left, unsigned (IFF_* are 32 bits), as ip's %x writes them.
  if (rest !== 0) names.push((rest >>> 0).toString(16));
  return names;
}

/** IF_OPER_* as `ip -j link` writes them: "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", ... */
export type OperStateName = Uppercase<OperState>;

export function operstateName(state: OperState | null): OperStateName | null {
  return state === null ? null : (state.toUpperCase() as OperStateName);
}

/** ndm_state's NUD_* bits (linux/neighbour.h), in the order `ip neigh` writes them. */
const NUD_STATES: readonly [number, string][] = [
  [0x01, "INCOMPLETE"],
  [0x02, "REACHABLE"],
  [0x04, "STALE"],
  [0x08, "DELAY"],
  [0x10, "PROBE"],
  [0x20, "FAILED"],
  [0x40, "NOARP"],
  [0x80, "PERMANENT"],
];

/** A neighbour's NUD states as `ip -j neigh` lists them (none for NUD_NONE). */
export function neighbourStateNames(state: number): string[] {
  return NUD_STATES.filter(([bit]) => (state & bit) !== 0).map(([, name]) => name);
}
