/**
 * Where a node's link has no IPv6 although the node has it on: the node's own
 * sysctls turn it off there, or the link's MTU is below IPv6's minimum (the
 * kernel gives such a link no IPv6 state at all). The kernel then refuses an
 * IPv6 address there and an IPv6 route through it, once apply has made the
 * lab's namespaces: refused at load instead.
 */
import type { TopologyNode } from "./model.js";
import { DISABLE_IPV6 } from "./sysctl-names.js";

/** IPV6_MIN_MTU: below it, the kernel drops a link's IPv6 state (addrconf) and makes none for it. */
const IPV6_MIN_MTU = 1280;

const turnsOff = (value: string | undefined) => value !== undefined && value.trim() !== "" && Number(value.trim()) !== 0;

/**
 * The sysctl of `node` that leaves link `dev` without IPv6, or undefined. The link's own, when given, is written last
 * and decides. Otherwise all's 1 writes every link's (in a namespace that has them), and default's 1 is what a link
 * made in a new namespace starts with: either path of apply leaves the link off, so either refuses.
 */
function offBy(node: TopologyNode, dev: string): string | undefined {
  const own = `net.ipv6.conf.${dev}.disable_ipv6`;
  if (Object.hasOwn(node.sysctls, own)) return turnsOff(node.sysctls[own]) ? own : undefined;
  return DISABLE_IPV6.find((name) => turnsOff(node.sysctls[name]));
}

/** Why link `dev` (its MTU `mtu` as the file gives it) of `node` has no IPv6, and what the kernel says to an address and a route there; undefined when it has IPv6. */
function ipv6Off(node: TopologyNode, dev: string, mtu: number | undefined) {
  const by = offBy(node, dev);
  if (by !== undefined)
    return {
      why: `whose IPv6 ${by}: 1 turns off`,
      address: '"IPv6 is disabled on this device"',
      route: '"IPv6 is disabled on nexthop device"',
    };
  if (mtu !== undefined && mtu < IPV6_MIN_MTU)
    return { why: `whose mtu ${mtu} is below IPv6's minimum, ${IPV6_MIN_MTU}`, address: "EINVAL", route: "ENODEV" };
  return undefined;
}

/** Why the kernel refuses an IPv6 address on `dev` (of MTU `mtu`) of `node`, or undefined when it takes one. */
export function ipv6AddressRefusal(node: TopologyNode, dev: string, mtu: number | undefined): string | undefined {
  if (!node.ipv6) return "IPv6 address on a node with ipv6: false";
  const off = ipv6Off(node, dev, mtu);
  return off && `IPv6 address on ${dev}, ${off.why}: the kernel refuses it (${off.address})`;
}

/** Why the kernel refuses an IPv6 route through `dev` (of MTU `mtu`) of `node` with IPv6 on, or undefined. */
export function ipv6RouteRefusal(node: TopologyNode, dev: string, mtu: number | undefined): string | undefined {
  const off = ipv6Off(node, dev, mtu);
  return off && `is an IPv6 route on ${dev}, ${off.why}: the kernel refuses it (${off.route})`;
}
