/**
 * A file's identity (device and inode) with one statx call. fs.statSync does
 * the same system call but builds a Stats object with four Dates each time,
 * which costs more than the call itself: the pool finds the namespace of every
 * task this way.
 */
import { SystemCallError } from "../errors.js";
import { koffi, libc } from "./koffi.js";

const statx = libc.func("int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ void *buf)");

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_INO = 0x100;
/** sizeof(struct statx); identity reads stx_ino (offset 32) and stx_dev_major/minor (136, 140). */
const buffer = new Uint8Array(256);
const view = new DataView(buffer.buffer);

export interface FileIdentity {
  dev: number;
  ino: number;
}

/** A little-endian u64 field of the buffer as a number, from its two words: no BigInt made per call (inode numbers and sizes stay below 2^53). */
const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;

/** glibc's makedev, so `dev` equals fs.Stats#dev. */
function makedev(major: number, minor: number): number {
  return (major & 0xfffff000) * 2 ** 32 + (minor & 0xffffff00) * 2 ** 12 + (major & 0xfff) * 2 ** 8 + (minor & 0xff);
}

/** glibc's major() and minor(): the device numbers a `dev` made by makedev above holds. */
export function devNumbers(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  return {
    major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)),
    minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)),
  };
}

function identify(dirfd: number, path: string, flags: number, what: string, mask = STATX_INO): FileIdentity {
  if (statx(dirfd, path, flags, mask, buffer) < 0) throw new SystemCallError("statx", koffi.errno(), what);
  return {
    dev: makedev(view.getUint32(136, true), view.getUint32(140, true)),
    ino: u64(32),
  };
}

/** Identity of the file at `path` (links followed). */
export function identityOfPath(path: string): FileIdentity {
  return identify(AT_FDCWD, path, 0, path);
}

/** Identity of the entry at `path` itself: a symlink is not followed (statx opens nothing, so a FIFO cannot block it). */
export function identityOfEntry(path: string): FileIdentity {
  return identify(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, path);
}

/** What statx says about a file: enough to tell what an entry is without building a fs.Stats. */
export interface FileStatus extends FileIdentity {
  /** The file type bits of st_mode (S_IFMT). */
  type: number;
  /** The permission bits of st_mode. */
  perm: number;
  size: number;
  nlink: number;
  /** The path is the root of a mount, i.e. something is mounted on it (STATX_ATTR_MOUNT_ROOT, Linux 5.8+). */
  mountRoot: boolean;
}

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const S_IFSOCK = 0o140000;
const TYPE_NAMES: Record<number, string> = {
  [S_IFREG]: "a regular file",
  [S_IFDIR]: "a directory",
  [S_IFLNK]: "a symbolic link",
  [S_IFIFO]: "a FIFO",
  [S_IFSOCK]: "a socket",
};

/** A FileStatus's type in words, as an error says what an entry is: "a FIFO". */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? "a device";
}
const STATX_TYPE = 0x1;
const STATX_MODE = 0x2;
const STATX_NLINK = 0x4;
const STATX_SIZE = 0x200;
const STATX_ATTR_MOUNT_ROOT = 0x2000;

/** Fields of struct statx: stx_attributes (8), stx_nlink (16), stx_mode (28), stx_size (40). */
function status(dirfd: number, path: string, flags: number, what: string): FileStatus {
  const id = identify(dirfd, path, flags, what, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE);
  return {
    ...id,
    type: view.getUint16(28, true) & S_IFMT,
    perm: view.getUint16(28, true) & 0o7777,
    size: u64(40),
    nlink: view.getUint32(16, true),
    // The attribute is in stx_attributes' low word.
    mountRoot: (view.getUint32(8, true) & STATX_ATTR_MOUNT_ROOT) !== 0,
  };
}

/** Status of the entry at `path`, followed only if `follow` (statx opens nothing: a FIFO cannot block it). */
export function statusOfPath(path: string, follow: boolean): FileStatus {
  return status(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, path);
}

/** Status of the file an open descriptor refers to. */
export function statusOfFd(fd: number): FileStatus {
  return status(fd, "", AT_EMPTY_PATH, `fd ${fd}`);
}

/** Identity of the file an open descriptor refers to. */
export function identityOfFd(fd: number): FileIdentity {
  return identify(fd, "", AT_EMPTY_PATH, `fd ${fd}`);
}

/** Whether `a` and `b` are one file: the same device and inode (a path's and a descriptor's, two looks at one path). */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** "dev:ino": how namespaces are keyed. */
export function keyOfIdentity({ dev, ino }: FileIdentity): string {
  return `${dev}:${ino}`;
}
