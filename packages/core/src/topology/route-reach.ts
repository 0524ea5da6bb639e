/**
 * Whether the kernel will take a node's routes once apply has made its links
 * and addresses: a gateway must be reachable directly, and a route's `dev`
 * must be up. Refused here, with the route's place in the file, rather than
 * by the kernel after apply made the lab's namespaces (an apply that fails
 * there fails again every time).
 *
 * What the kernel requires (fib_check_nh_v4_gw, ip6_validate_gw; each claim
 * shown with iproute2 in topology-kernel-refusals.test.ts): a gateway is
 * looked up among the routes of link scope (a connected route: an address's
 * prefix on a link that is up, or a route with `dev` alone), in the route's
 * table, then in main; a route via a gateway (scope universe) does not make
 * another gateway reachable. With `dev`, the covering route must be on that
 * link. An IPv4 gateway may be the node's own address (a local route), never
 * its subnet's broadcast; an IPv6 one is never the node's own address. A
 * prefix route exists only while its link is up (IPv4 adds it on NETDEV_UP),
 * and a route with `dev` on a link that is down is refused ("Device for
 * nexthop is not up"), and an IPv6 one on a node with ipv6: false or on a
 * link whose IPv6 the node's sysctls turn off or whose MTU is below IPv6's
 * minimum (ipv6-off.ts).
 *
 * Only what the file describes is known here: a gateway reachable only through
 * a link or route made by hand in the node is refused (the file is the lab).
 */
import * as net from "../validate/net.js";
import type { TopologyNode, TopologyRoute } from "./model.js";
import type { Path, Problems } from "./problems.js";
import { ipv6RouteRefusal } from "./ipv6-off.js";

const RT_TABLE_MAIN = 254;

/** An address or network parsed once: each route's gateway is compared with every one of the node's. */
interface Prefix {
  family: number;
  bytes: number[];
  prefixLen: number;
  /** As the file writes it, for messages. */
  text: string;
  /** The IPv4 subnet's broadcast address, where the kernel makes one. */
  broadcast: number[] | undefined;
}

const prefixOf = (text: string): Prefix => {
  const c = net.cidr("address", text);
  const bytes = net.addressBytes(c.family, c.address);
  const broadcast = net.broadcastOf(c.family, bytes, c.prefixLen);
  return { family: c.family, bytes, prefixLen: c.prefixLen, text: `${c.address}/${c.prefixLen}`, broadcast };
};

const sameBytes = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether `p` holds the address `bytes` of `family` in its network. */
const holds = (p: Prefix, family: number, bytes: readonly number[]) => p.family === family && net.inPrefix(p.bytes, p.prefixLen, bytes);

/** A route of link scope the kernel would have: its link, its table, the network it covers. */
interface Connected {
  dev: string;
  table: number;
  network: Prefix;
}

/** An interface's state as the kernel will have it once applied: up or not, and its addresses. */
interface LinkState {
  up: boolean;
  addresses: Prefix[];
}

function linkStates(node: TopologyNode): Map<string, LinkState> {
  // A node's loopback is always up: its marker is set with it.
  const states = new Map<string, LinkState>([["lo", { up: true, addresses: node.loopback.map(prefixOf) }]]);
  for (const iface of node.interfaces) states.set(iface.name, { up: iface.up, addresses: iface.addresses.map(prefixOf) });
  return states;
}

function connectedRoutes(node: TopologyNode, links: ReadonlyMap<string, LinkState>): Connected[] {
  const out: Connected[] = [];
  for (const [dev, { up, addresses }] of links) {
    if (!up) continue;
    // A /32 has no prefix route (its own address is a local route, judged apart); a /128's covers itself alone.
    for (const a of addresses) if (a.family === net.AF_INET6 || a.prefixLen < 32) out.push({ dev, table: RT_TABLE_MAIN, network: a });
  }
  for (const r of node.routes) {
    if (r.via !== undefined || r.dev === undefined || links.get(r.dev)?.up !== true) continue;
    out.push({ dev: r.dev, table: r.table ?? RT_TABLE_MAIN, network: prefixOf(r.to === "default" ? "0.0.0.0/0" : r.to) });
  }
  return out;
}

/** Why the kernel would refuse the gateway of `r`, or undefined when it takes it. */
function gatewayRefusal(
  r: TopologyRoute & { via: string },
  links: ReadonlyMap<string, LinkState>,
  connected: readonly Connected[],
): string | undefined {
  const via = r.via;
  const family = net.familyOf("via", via);
  const bytes = net.addressBytes(family, via);
  const table = r.table ?? RT_TABLE_MAIN;
  const onDev = (dev: string) => r.dev === undefined || r.dev === dev;
  const isOwn = (a: Prefix) => a.family === family && sameBytes(a.bytes, bytes);
  const linkLocal = net.isIPv6LinkLocal(via);
  if (family === net.AF_INET6) {
    // A link-local address is the node's own only on the link named with it.
    const own = [...links].find(([dev, s]) => (!linkLocal || dev === r.dev) && s.addresses.some(isOwn));
    if (own !== undefined) return `${via} is an address of this node (on ${own[0]}): the kernel refuses a node's own address as a gateway`;
  }
  // Which link a link-local gateway is on, dev says (resolve refuses one without); 127/8 is all local (a local route).
  if (linkLocal || (family === net.AF_INET && bytes[0] === 127)) return undefined;
  const covers = connected.filter((c) => holds(c.network, family, bytes) && onDev(c.dev));
  const inTable = covers.some((c) => c.table === table);
  // A table's own routes are looked in first; when none covers the gateway (and always for main) the rules' lookup
  // runs, local's routes first: a broadcast route refuses the gateway there, a local one takes it.
  if ((table === RT_TABLE_MAIN || !inTable) && family === net.AF_INET) {
    const upLinks = [...links].filter(([, s]) => s.up);
    for (const [dev, s] of upLinks)
      for (const a of s.addresses)
        if (a.broadcast !== undefined && sameBytes(a.broadcast, bytes))
          return `${via} is the broadcast address of ${a.text} on ${dev}: the kernel refuses it as a gateway`;
    if (upLinks.some(([dev, s]) => onDev(dev) && s.addresses.some(isOwn))) return undefined;
  }
  if (inTable || covers.some((c) => c.table === RT_TABLE_MAIN)) return undefined;
  const down = [...links].find(([dev, s]) => !s.up && onDev(dev) && s.addresses.some((a) => holds(a, family, bytes)));
  if (down !== undefined)
    return `${via} is on ${down[0]}, which the file sets down (up: false): the kernel reaches no gateway through a link that is down (ENETUNREACH)`;
  const where = r.dev === undefined ? "of this node's links that are up" : `of ${r.dev}`;
  const tables = table === RT_TABLE_MAIN ? "" : ` (in table ${table} or main)`;
  return `${via} is in no subnet ${where}, nor under a route with dev alone${tables}: the kernel refuses a gateway it cannot reach directly (ENETUNREACH, "Nexthop has invalid gateway"); give the link an address in its subnet, or add a route to it with dev`;
}

/**
 * Records a problem for each route of `node` the kernel would refuse for its gateway or its `dev`; `indexOf`: a
 * route's index in the file's list (at `path`).
 */
export function checkRouteReach(node: TopologyNode, path: Path, indexOf: (r: TopologyRoute) => number, problems: Problems): void {
  if (node.routes.length === 0) return;
  const links = linkStates(node);
  const connected = connectedRoutes(node, links);
  for (const r of node.routes) {
    const at = [...path, indexOf(r)];
    const family = r.via !== undefined ? net.familyOf("via", r.via) : r.to === "default" ? net.AF_INET : net.cidr("to", r.to).family;
    if (family === net.AF_INET6 && !node.ipv6) {
      problems.add(at, `is an IPv6 route on a node with ipv6: false: the kernel refuses it ("IPv6 is disabled on nexthop device")`);
      continue;
    }
    const dev = r.dev === undefined ? undefined : links.get(r.dev);
    // A dev the node lacks is reported by resolve.
    if (dev === undefined && r.dev !== undefined) continue;
    const mtu = node.interfaces.find((i) => i.name === r.dev)?.mtu;
    const off = family === net.AF_INET6 && r.dev !== undefined ? ipv6RouteRefusal(node, r.dev, mtu) : undefined;
    if (off !== undefined) {
      problems.add([...at, "dev"], off);
      continue;
    }
    if (dev?.up === false) {
      problems.add([...at, "dev"], `${r.dev} is set down by the file (up: false): the kernel refuses a route on a link that is down`);
      continue;
    }
    // A gateway of another family than the destination's is reported by resolve.
    if (r.via === undefined || (r.to !== "default" && net.cidr("to", r.to).family !== net.familyOf("via", r.via))) continue;
    const why = gatewayRefusal(r as TopologyRoute & { via: string }, links, connected);
    if (why !== undefined) problems.add([...at, "via"], why);
  }
}
