/**
 * A route's protocol and an address's scope by the names `ip -j` gives them,
 * so that a filter written against iproute2's output (`select(.protocol ==
 * "kernel")`) reads neslink's. The names are iproute2's own tables as it ships
 * them (/etc/iproute2/rt_protos and rt_scopes, iproute2 6.1), not read from
 * the system at run time: the same number gives the same name on every host.
 * A number they do not name is written as ip writes it, in decimal, still a
 * string, so the field has one type.
 */

/** rt_protos: rtm_protocol, RTPROT_* of linux/rtnetlink.h. */
const RT_PROTOS: Readonly<Record<number, string>> = {
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
const RT_SCOPES: Readonly<Record<number, string>> = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };

const named = (table: Readonly<Record<number, string>>) => (value: number) => table[value] ?? String(value);

/** A route's origin as `ip -j route` names it: "kernel", "boot", ..., or its number ("200"). */
export const protocolName = named(RT_PROTOS);

/** An address's scope as `ip -j addr` names it: "global", "link", "host", ..., or its number ("100"). */
export const scopeName = named(RT_SCOPES);
