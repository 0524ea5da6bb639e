/** Checks for network addresses: MACs, IPs and CIDRs, each error naming its field. */
import { shown, ValidationError } from "../errors.js";

/*
 * The textual forms of IP addresses, written from their grammars: RFC 3986
 * section 3.2.2 (IPv4address: four decimal octets, no leading zero;
 * IPv6address: eight 16-bit groups, one run of them shortened to "::", the
 * last two as an IPv4 address), with a zone index after "%" (RFC 4007 11.2)
 * as node:net's isIPv6 takes it. Not node:net itself: loading it brings
 * Node's stream modules (~30M instructions, an eighth of `neslink addr add`'s
 * start) for a check a few regular expressions make; net.test.ts holds these
 * to node:net's answers.
 */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)";
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const H16 = "[0-9a-fA-F]{1,4}";
/** The last 32 bits: two groups, or an IPv4 address. */
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
/** Up to n groups, each followed by ":", before a last one: what may stand left of "::". */
const upTo = (n: number) => `(?:(?:${H16}:){0,${n}}${H16})?`;
const IPV6 = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `${upTo(0)}::(?:${H16}:){4}${LS32}`,
  `${upTo(1)}::(?:${H16}:){3}${LS32}`,
  `${upTo(2)}::(?:${H16}:){2}${LS32}`,
  `${upTo(3)}::${H16}:${LS32}`,
  `${upTo(4)}::${LS32}`,
  `${upTo(5)}::${H16}`,
  `${upTo(6)}::`,
].join("|");
const IPV4_TEXT = new RegExp(`^${IPV4}$`);
const IPV6_TEXT = new RegExp(`^(?:${IPV6})(?:%[0-9a-zA-Z.:-]+)?$`);

export const isIPv4 = (value: string): boolean => IPV4_TEXT.test(value);
export const isIPv6 = (value: string): boolean => IPV6_TEXT.test(value);

export const AF_INET = 2;
export const AF_INET6 = 10;

export interface Cidr {
  family: typeof AF_INET | typeof AF_INET6;
  address: string;
  prefixLen: number;
}

/** A unicast-or-any 48-bit MAC as six colon-separated hex octets; returned lower case. */
export function mac(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(value)) {
    throw new ValidationError(field, `${shown(value)} is not a MAC address like 02:00:00:00:00:01`);
  }
  // The kernel gives a link only a unicast address (the group bit of the first octet clear): ff:.. and 01:.. are refused.
  if (Number.parseInt(value.slice(0, 2), 16) & 1)
    throw new ValidationError(field, `${value} is a multicast or broadcast MAC; a link needs a unicast one`);
  // is_valid_ether_addr refuses it too: the kernel answers EADDRNOTAVAIL, once the namespaces are made.
  if (/^00(:00){5}$/.test(value)) throw new ValidationError(field, `${value} is the all-zero MAC, which the kernel refuses for a link`);
  return value.toLowerCase();
}

/** The kernel's number for an address family a listing asks for: 4 (AF_INET), 6 (AF_INET6) or "all" (0, both). */
export function listingFamily(field: string, value: unknown): typeof AF_INET | typeof AF_INET6 | 0 {
  if (value === 4) return AF_INET;
  if (value === 6) return AF_INET6;
  if (value === "all") return 0;
  // Not read as "all": "4", or AF_INET's own 2, would otherwise list both families without a word.
  throw new ValidationError(field, `must be 4, 6 or "all", got ${shown(value)}`);
}

export function familyOf(field: string, value: unknown): typeof AF_INET | typeof AF_INET6 {
  if (typeof value === "string" && isIPv4(value)) return AF_INET;
  // node:net takes zone ids ("fe80::1%eth0"); an address attribute has no room for one, so the codec refuses them.
  if (typeof value === "string" && isIPv6(value) && !value.includes("%")) return AF_INET6;
  throw new ValidationError(field, `${shown(value)} is not an IPv4 or IPv6 address`);
}

/** An IP address (no prefix). */
export function ip(field: string, value: unknown): string {
  familyOf(field, value);
  return value as string;
}

/** An IP address of one family. */
export function ipOf(family: number): (field: string, value: unknown) => string {
  return (field, value) => {
    if (familyOf(field, value) !== family)
      throw new ValidationError(field, `${shown(value)} is not an IPv${family === AF_INET ? 4 : 6} address`);
    return value as string;
  };
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(address: string): boolean {
  return isIPv4(address) ? (Number(address.split(".")[0]) & 0xf0) === 0xe0 : /^ff/i.test(address);
}

/** "10.0.0.1/24" or "2001:db8::1/64". */
export function cidr(field: string, value: unknown): Cidr {
  if (typeof value !== "string" || !value.includes("/")) {
    throw new ValidationError(field, `${shown(value)} is not a CIDR like 10.0.0.1/24`);
  }
  // split's limit would drop what follows a second '/': "10.0.0.1/24/8" must not read as /24.
  const parts = value.split("/");
  if (parts.length !== 2) throw new ValidationError(field, `${shown(value)} is not a CIDR like 10.0.0.1/24`);
  const [address = "", len = ""] = parts;
  const family = familyOf(field, address);
  const max = family === AF_INET ? 32 : 128;
  const prefixLen = Number(len);
  if (!/^\d{1,3}$/.test(len) || prefixLen > max) throw new ValidationError(field, `prefix length ${shown(len)} must be 0..${max}`);
  // ip reads "/010" as octal (/8) and refuses "/08": a leading zero would mean something else to it.
  if (len.length > 1 && len.startsWith("0"))
    throw new ValidationError(field, `prefix length ${shown(len)} has a leading 0, which ip reads as octal: write ${prefixLen}`);
  return { family, address, prefixLen };
}

/** An address as 4 or 16 bytes. */
function bytesOf(family: typeof AF_INET | typeof AF_INET6, address: string): number[] {
  if (family === AF_INET) return address.split(".").map(Number);
  // The URL parser writes IPv6 in its compressed hex form, an embedded IPv4 tail included.
  const text = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const [head = "", tail = ""] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const filled = text.includes("::")
    ? [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill("0"), ...groups(tail)]
    : groups(text);
  return filled.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 255]);
}

/** A destination network: a CIDR whose host bits are all zero, as the kernel requires of a route ("10.0.0.0/8", not "10.0.0.1/8"). */
export function network(field: string, value: unknown): Cidr {
  const c = cidr(field, value);
  const bytes = bytesOf(c.family, c.address);
  const hostBitsSet = bytes.some((b, i) => {
    const kept = Math.max(0, Math.min(8, c.prefixLen - i * 8));
    return (b & (0xff >> kept)) !== 0;
  });
  if (hostBitsSet)
    throw new ValidationError(field, `${String(value)} has host bits set; a route goes to a network (its address with them zero)`);
  return c;
}

/**
 * An address to give an interface, as the kernel keeps it: 0.0.0.0 (any prefix) is taken and silently dropped (every
 * later plan would add it again), :: and an IPv6 multicast address are refused (EINVAL), once the namespaces are made.
 */
export function interfaceAddress(field: string, value: unknown): Cidr {
  const c = cidr(field, value);
  if (bytesOf(c.family, c.address).every((b) => b === 0)) {
    const what = c.family === AF_INET ? "the kernel takes it and keeps nothing" : "the kernel refuses it";
    throw new ValidationError(field, `${c.address} is the unspecified address, not an interface's (${what})`);
  }
  if (c.family === AF_INET6 && isMulticast(c.address))
    throw new ValidationError(field, `${c.address} is an IPv6 multicast address, which the kernel refuses on an interface`);
  return c;
}

/** An address as 4 or 16 bytes (what prefixes are compared on: parse each address once, compare many times). */
export function addressBytes(family: typeof AF_INET | typeof AF_INET6, address: string): number[] {
  return bytesOf(family, address);
}

/** Whether `address` (bytes, of the network's family) is in the network whose first `prefixLen` bits `network` holds. */
export function inPrefix(network: readonly number[], prefixLen: number, address: readonly number[]): boolean {
  for (let i = 0; i < network.length && i * 8 < prefixLen; i++) {
    const mask = (0xff00 >> Math.min(8, prefixLen - i * 8)) & 0xff;
    if (((network[i] as number) & mask) !== ((address[i] as number) & mask)) return false;
  }
  return true;
}

/** The IPv4 broadcast address of a subnet (bytes), as the kernel makes one (prefixes up to /30); undefined otherwise. */
export function broadcastOf(family: number, address: readonly number[], prefixLen: number): number[] | undefined {
  if (family !== AF_INET || prefixLen > 30) return undefined;
  return address.map((byte, i) => byte | (0xff >> Math.max(0, Math.min(8, prefixLen - i * 8))));
}

/** fe80::/10: a gateway only on a link named with it. */
export function isIPv6LinkLocal(address: string): boolean {
  if (!isIPv6(address)) return false;
  const [first = 0, second = 0] = bytesOf(AF_INET6, address);
  return first === 0xfe && (second & 0xc0) === 0x80;
}

/** A gateway: an address, not the unspecified one (0.0.0.0, ::). */
export function gateway(field: string, value: unknown): string {
  const family = familyOf(field, value);
  if (bytesOf(family, value as string).every((b) => b === 0))
    throw new ValidationError(field, `${String(value)} is the unspecified address, not a gateway`);
  return value as string;
}
