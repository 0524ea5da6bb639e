/**
 * IPv4 secondary addresses and their primary. The kernel deletes a subnet's
 * secondaries (the addresses added after the first of that subnet and
 * prefix length) with its primary (__inet_del_ifa), unless
 * promote_secondaries is on for the link (net.ipv4.conf.all's or the link's
 * own), when it makes the first of them primary instead. So a plan that
 * deletes a primary deletes the secondaries it does not keep before it (a
 * delete would not find them after), and makes those it keeps again after it.
 */
import type { Address } from "@neslink/codec-wasm";
import { AF_INET } from "../validate/net.js";

const IFA_F_SECONDARY = 0x01;

export const isSecondary = (a: Address): boolean => a.family === AF_INET && (a.flags & IFA_F_SECONDARY) !== 0;

const isPrimary = (a: Address): boolean => a.family === AF_INET && (a.flags & IFA_F_SECONDARY) === 0;

/** An IPv4 address's subnet as the kernel matches a secondary to its primary: its prefix length and network. */
function subnetOf(a: Address): string {
  const bits = ((a.local ?? a.address) as string).split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const network = a.prefixLen === 0 ? 0 : bits - (bits % 2 ** (32 - a.prefixLen));
  return `${network}/${a.prefixLen}`;
}

/**
 * Of `present` (a link's live addresses), those `kept` that the deletion of `gone` takes with it: secondaries of a
 * primary in `gone`, each with that primary.
 */
export function takenWith(
  present: readonly Address[],
  gone: readonly Address[],
  kept: (a: Address) => boolean,
): { address: Address; primary: Address }[] {
  const primaries = new Map(gone.filter(isPrimary).map((p) => [subnetOf(p), p]));
  if (primaries.size === 0) return [];
  return present.flatMap((a) => {
    const primary = isSecondary(a) && kept(a) ? primaries.get(subnetOf(a)) : undefined;
    return primary === undefined ? [] : [{ address: a, primary }];
  });
}

/**
 * The sysctls that say whether a link's secondaries are promoted: all's, and the link's own where its name can be
 * written as a sysctl's (a dot in it would be read as a separator; unread, it counts as off, which at worst plans an
 * address made again that is still there, a replace that changes nothing).
 */
export function promoteSysctls(dev: string): string[] {
  const all = "net.ipv4.conf.all.promote_secondaries";
  return /^[A-Za-z0-9_-]+$/.test(dev) ? [all, `net.ipv4.conf.${dev}.promote_secondaries`] : [all];
}
