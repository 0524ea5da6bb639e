/**
 * Where a node's own sysctls turn IPv6 off on one of its links: the kernel
 * then refuses an IPv6 address there (EACCES, "IPv6 is disabled on this
 * device") and an IPv6 route through it ("IPv6 is disabled on nexthop
 * device"), once apply has made the lab's namespaces. Refused at load instead.
 */
import type { TopologyNode } from "./model.js";
import { DISABLE_IPV6 } from "./sysctl-names.js";

const turnsOff = (value: string | undefined) => value !== undefined && value.trim() !== "" && Number(value.trim()) !== 0;

/**
 * The sysctl of `node` that leaves link `dev` without IPv6, or undefined. The link's own, when given, is written last
 * and decides. Otherwise all's 1 writes every link's (in a namespace that has them), and default's 1 is what a link
 * made in a new namespace starts with: either path of apply leaves the link off, so either refuses.
 */
export function ipv6OffBy(node: TopologyNode, dev: string): string | undefined {
  const own = `net.ipv6.conf.${dev}.disable_ipv6`;
  if (Object.hasOwn(node.sysctls, own)) return turnsOff(node.sysctls[own]) ? own : undefined;
  return DISABLE_IPV6.find((name) => turnsOff(node.sysctls[name]));
}

/** Why the kernel refuses an IPv6 address on `dev` of `node`, or undefined when it takes one. */
export function ipv6AddressRefusal(node: TopologyNode, dev: string): string | undefined {
  if (!node.ipv6) return "IPv6 address on a node with ipv6: false";
  const by = ipv6OffBy(node, dev);
  return by === undefined
    ? undefined
    : `IPv6 address on ${dev}, whose IPv6 ${by}: 1 turns off: the kernel refuses it ("IPv6 is disabled on this device")`;
}
