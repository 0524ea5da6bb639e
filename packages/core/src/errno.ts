/**
 * errno values by name, the one place core turns an errno number into a name
 * or checks an error for one. Names come from Node's os.constants.errno plus
 * the Linux ones it leaves out, so a comparison reads `hasErrno(err, "ENODEV")`
 * and a misspelt name does not compile.
 */
import type { constants } from "node:os";

/** Linux errnos that Node's os.constants.errno leaves out but the kernel's network code returns. */
const LINUX_ONLY = {
  ENOTBLK: 15,
  EXFULL: 54,
  ENONET: 64,
  ENOPKG: 65,
  EREMOTE: 66,
  EBADFD: 77,
  ESOCKTNOSUPPORT: 94,
  EPFNOSUPPORT: 96,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  EHOSTDOWN: 112,
  EUCLEAN: 117,
  EREMOTEIO: 121,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ENOKEY: 126,
  EKEYEXPIRED: 127,
  EKEYREVOKED: 128,
  EKEYREJECTED: 129,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
  ERFKILL: 132,
  EHWPOISON: 133,
} as const satisfies Record<string, number>;

export type ErrnoName = keyof typeof constants.errno | keyof typeof LINUX_ONLY;

let table: Readonly<Record<ErrnoName, number>> | undefined;

/**
 * The table, made at its first use: node:os (~2.3M instructions to load)
 * is then taken, so a command that meets no failed call never loads it.
 */
function errnos(): Readonly<Record<ErrnoName, number>> {
  table ??= { ...LINUX_ONLY, ...process.getBuiltinModule("node:os").constants.errno };
  return table;
}

/** Every errno core knows, by name: `errno.ENODEV` is 19 (read through to the table, made when first read). */
export const errno: Readonly<Record<ErrnoName, number>> = new Proxy({} as Record<ErrnoName, number>, {
  get: (_, name) => errnos()[name as ErrnoName],
  has: (_, name) => name in errnos(),
  ownKeys: () => Reflect.ownKeys(errnos()),
  // Configurable: the proxy's own (empty) object does not hold them, and a proxy may not say otherwise.
  getOwnPropertyDescriptor: (_, name) => {
    const found = Reflect.getOwnPropertyDescriptor(errnos(), name);
    return found && { ...found, configurable: true };
  },
});

/** A system call's errno name, as the kernel or libc gave it ("E<n>" for one without a name). */
export type Errno = ErrnoName | `E${number}`;

let names: Map<number, ErrnoName> | undefined;

/** The errno constant name for a positive errno, e.g. 2 -> "ENOENT". */
export function errnoName(value: number): Errno {
  // Where two names share a number (EOPNOTSUPP and ENOTSUP, EAGAIN and EWOULDBLOCK) the later one in Node's table wins.
  names ??= new Map(Object.entries(errnos()).map(([name, n]) => [n, name as ErrnoName]));
  return names.get(value) ?? `E${value}`;
}

/**
 * Whether `err` is a failed system call with errno `name`: a SystemCallError
 * or NetlinkError (positive errno), or one of Node's own (negative errno).
 */
export function hasErrno(err: unknown, name: ErrnoName): boolean {
  const value = (err as { errno?: unknown } | null | undefined)?.errno;
  return typeof value === "number" && Math.abs(value) === errnos()[name];
}
