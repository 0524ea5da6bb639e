/**
 * What a network sysctl's name says of where it lives: the per-interface
 * tables (net.ipv4.conf.IFACE.*, net.ipv6.neigh.IFACE.*) have a directory
 * per link, made with the link; "all" and "default" are the namespace's own.
 */

/** The interface a sysctl is one of (net.ipv4.conf.eth0.rp_filter: "eth0"), or undefined for the namespace's own. */
export function sysctlInterface(name: string): string | undefined {
  const [, , table, iface] = name.split(".");
  return (table === "conf" || table === "neigh") && iface !== undefined && iface !== "all" && iface !== "default" ? iface : undefined;
}

/**
 * The namespace-wide sysctl that takes the same values as an interface's (its `default`, from which a new link's is
 * copied): what a fresh namespace, with none of the lab's links, can be asked about instead.
 */
export function sysctlLikeIt(name: string): string {
  const parts = name.split(".");
  if (sysctlInterface(name) !== undefined) parts[3] = "default";
  return parts.join(".");
}

/** What ipv6: false writes 1 (all's first, which writes default's and every link's too). */
export const DISABLE_IPV6 = ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"];
