/**
 * Input checks run before anything touches the kernel or the file system.
 * Each throws a ValidationError naming the field.
 */
import { isAbsolute, normalize } from "node:path";
import { LIMITS } from "@neslink/codec-wasm/limits";
import { HIDDEN_CHARACTERS, shown, ValidationError } from "../errors.js";

/** NAME_MAX: one path component. */
const NAME_MAX = 255;

const codePoint = (c: string) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`;

/** A name as people will read it: well-formed UTF-16 (no lone surrogate, which has no UTF-8 form) and nothing hidden. */
function visible(field: string, value: string): string {
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new ValidationError(field, `${shown(value)} contains a lone surrogate (not valid Unicode)`);
  }
  const hidden = HIDDEN_CHARACTERS.exec(value);
  if (hidden) {
    throw new ValidationError(field, `${shown(value)} contains ${codePoint(hidden[0])}, a control, invisible or bidi character`);
  }
  return value;
}

/**
 * What a directory of /proc/sys/net/ipv{4,6}/conf a link name would clash with, and so the kernel refuses as one
 * (sysctl_dev_name_is_allowed, include/net/ip.h: EINVAL as IPv4 and IPv6 register a new or renamed device's
 * sysctls, in every namespace). Compared as written, as the kernel does: "All" is a name like any other.
 */
const CONF_DIRECTORIES: Readonly<Record<string, string>> = { all: "every link", default: "links to come" };

/**
 * The kernel's dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or
 * whitespace; and no '%', since the kernel expands "%d" in a new link's name
 * to a number of its choosing, so the link would not be the one named; nor
 * "all" or "default" (CONF_DIRECTORIES), which the kernel refuses past
 * dev_valid_name, once it has begun to make the link.
 */
export function linkName(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, "must be a non-empty string");
  visible(field, value);
  if (Buffer.byteLength(value) > LIMITS.ifnameMaxBytes) {
    throw new ValidationError(field, `${shown(value)} is longer than ${LIMITS.ifnameMaxBytes} bytes`);
  }
  if (value === "." || value === "..") throw new ValidationError(field, `${shown(value)} is not a valid link name`);
  if (Object.hasOwn(CONF_DIRECTORIES, value)) {
    const reason = `the kernel refuses a link of that name (conf/{all,default}; EINVAL)`;
    throw new ValidationError(
      field,
      `"${value}" names /proc/sys/net/ipv{4,6}/conf/${value}, the settings of ${CONF_DIRECTORIES[value]}: ${reason}`,
    );
  }
  if (/[/:\s]/.test(value)) throw new ValidationError(field, `${shown(value)} contains '/', ':' or whitespace`);
  if (value.includes("%")) {
    throw new ValidationError(field, `${shown(value)} contains '%': the kernel would replace "%d" with a number of its choosing`);
  }
  return value;
}

/** A link alias (IFLA_IFALIAS): at most the codec's limit (255 bytes), nothing hidden. */
export function alias(field: string, value: unknown): string {
  return visible(field, text(field, value, LIMITS.aliasMaxBytes));
}

/**
 * An alias to give a link: as alias, or "" to clear it, as `ip link set NAME
 * alias ""` does (the kernel drops the alias on an empty IFLA_IFALIAS). Only
 * here: an empty alias to find a link by, or to mark a loopback with, means nothing.
 */
export function newAlias(field: string, value: unknown): string {
  return value === "" ? value : alias(field, value);
}

/**
 * A namespace name becomes one file in the mount dir, so it may not contain
 * '/' or be "." or ".."; it may not hold whitespace or hidden characters.
 */
export function namespaceName(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, "must be a non-empty string");
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long names need counting.
  if (value.length * 3 > NAME_MAX && Buffer.byteLength(value) > NAME_MAX) throw new ValidationError(field, "is longer than 255 bytes");
  if (value === "." || value === "..") throw new ValidationError(field, `${shown(value)} would escape the mount dir`);
  if (value.includes("/")) throw new ValidationError(field, `${shown(value)} contains '/' and would escape the mount dir`);
  visible(field, value);
  if (/\s/.test(value)) throw new ValidationError(field, `${shown(value)} contains whitespace`);
  return value;
}

/** Whether `value` is a name namespaceName takes: a mount dir can hold others (`ip netns add "a b"`), none of them neslink's. */
export function isNamespaceName(value: string): boolean {
  try {
    namespaceName("", value);
    return true;
  } catch {
    return false;
  }
}

/** The last path absolutePath passed: nearly every call names the same mount dir. */
let lastPath = { given: "/", normal: "/" };

/** An absolute path, normalised, without NUL. */
export function absolutePath(field: string, value: unknown): string {
  if (value === lastPath.given) return lastPath.normal;
  if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, "must be a non-empty string");
  if (value.includes("\0")) throw new ValidationError(field, "contains NUL");
  if (!isAbsolute(value)) throw new ValidationError(field, `${shown(value)} is not an absolute path`);
  lastPath = { given: value, normal: normalize(value) };
  return lastPath.normal;
}

/** An integer in [min, max]. */
export function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}, got ${shown(value)}`);
  }
  return value;
}

const U64_MAX = 2n ** 64n - 1n;

/** Whether `value` is a namespace id (NS_GET_ID, a u64 other than 0) in decimal, as ns-record.ts keeps them. */
export function isNsId(value: unknown): value is string {
  return typeof value === "string" && /^[1-9][0-9]{0,19}$/.test(value) && BigInt(value) <= U64_MAX;
}

/** A namespace id (NS_GET_ID) in decimal: a string, as a u64 may not fit a number. */
export function nsId(field: string, value: unknown): string {
  if (!isNsId(value))
    throw new ValidationError(field, `must be a namespace id (a u64 above 0, in decimal, as a string), got ${shown(value)}`);
  return value;
}

/** A kernel u32 field (a link group, a metric...). */
export function u32(field: string, value: unknown): number {
  return integer(field, value, 0, 0xffffffff);
}

/**
 * An MTU: at least IPv4's minimum, at most the kernel's int. Each device's
 * own maximum is the kernel's to enforce (veth 65535, but lo defaults to
 * 65536), and it names it in its error.
 */
export function mtu(field: string, value: unknown): number {
  return integer(field, value, LIMITS.mtuMin, LIMITS.mtuMax);
}

/** A positive interface index: 0 would make the kernel resolve by name in whatever namespace is current. */
export function linkIndex(field: string, value: unknown): number {
  return integer(field, value, LIMITS.indexMin, LIMITS.indexMax);
}

/** A process or thread id. */
export function pid(field: string, value: unknown): number {
  return integer(field, value, 1, 0x3fffffff);
}

/** A module specifier for custom code run inside a worker: an absolute path or file: URL, or a package name. */
export function moduleSpecifier(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, "must be a non-empty string");
  if (value.startsWith(".")) {
    throw new ValidationError(
      field,
      `${shown(value)} is relative; workers resolve modules from elsewhere, give an absolute path or file: URL`,
    );
  }
  return value;
}

/** A non-empty string (export names, aliases). */
export function text(field: string, value: unknown, maxBytes = 4096): string {
  if (typeof value !== "string" || value.length === 0) throw new ValidationError(field, "must be a non-empty string");
  if (Buffer.byteLength(value) > maxBytes) throw new ValidationError(field, `is longer than ${maxBytes} bytes`);
  if (value.includes("\0")) throw new ValidationError(field, "contains NUL");
  return value;
}

/**
 * A sysctl's value: one line of text. The kernel separates the numbers of a
 * sysctl of several (ip_local_port_range) by blanks, tabs included, and reads
 * it back as one line; any other control character (a newline splits the
 * value, which is then never what the kernel reads back) or hidden one cannot
 * be what was meant.
 */
export function sysctlValue(field: string, value: unknown): string {
  const line = text(field, value);
  const hidden = HIDDEN_CHARACTERS.exec(line.replaceAll("\t", " "));
  if (hidden) throw new ValidationError(field, `${shown(line)} contains ${codePoint(hidden[0])}: a sysctl's value is one line`);
  return line;
}

/** A boolean, and only that: "false" is a string, and a truthy one. */
export function boolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, `must be true or false, got ${shown(value)}`);
  return value;
}

/** One of a fixed set of values. */
export function oneOf<const T extends string | number>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ValidationError(field, `must be one of ${allowed.join(", ")}, got ${shown(value)}`);
  return value as T;
}
