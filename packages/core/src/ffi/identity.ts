/**
 * A file's identity (device and inode) with one statx call. fs.statSync does
 * the same system call but builds a Stats object with four Dates each time,
 * which costs more than the call itself: the pool finds the namespace of every
 * task this way.
 */
import koffi from "koffi";
import { SystemCallError } from "../errors.js";

const statx = koffi.load("libc.so.6").func("int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ void *buf)");

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_INO = 0x100;
/** sizeof(struct statx); the fields read are stx_ino (offset 32) and stx_dev_major/minor (136, 140). */
const buffer = new Uint8Array(256);
const view = new DataView(buffer.buffer);

export interface FileIdentity {
  dev: number;
  ino: number;
}

/** glibc's makedev, so `dev` equals fs.Stats#dev. */
function makedev(major: number, minor: number): number {
  return (major & 0xfffff000) * 2 ** 32 + (minor & 0xffffff00) * 2 ** 12 + (major & 0xfff) * 2 ** 8 + (minor & 0xff);
}

function identify(dirfd: number, path: string, flags: number, what: string): FileIdentity {
  if (statx(dirfd, path, flags, STATX_INO, buffer) < 0) throw new SystemCallError("statx", koffi.errno(), what);
  return {
    dev: makedev(view.getUint32(136, true), view.getUint32(140, true)),
    ino: Number(view.getBigUint64(32, true)),
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

/** Identity of the file an open descriptor refers to. */
export function identityOfFd(fd: number): FileIdentity {
  return identify(fd, "", AT_EMPTY_PATH, `fd ${fd}`);
}

/** "dev:ino": how namespaces are keyed. */
export function keyOfIdentity({ dev, ino }: FileIdentity): string {
  return `${dev}:${ino}`;
}
