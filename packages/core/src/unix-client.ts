/**
 * @neslink/core/unix-client — what a thin client of a local server needs of
 * the system, without node:net or node:tty: a unix stream socket connected
 * with libc's socket(2) and connect(2), read and written with node:fs; and
 * whether a descriptor is a terminal, and how wide. node:net (which node:tty
 * loads too) costs ~45M instructions to load, half of Node's own start-up,
 * and a client such as the CLI's for its agent lives a few milliseconds.
 * Loads koffi and nothing else of core.
 */
import { type Errno, errnoName } from "./errno.js";
import { koffi, libc } from "./ffi/koffi.js";
import { SUN_PATH, unixPathProblem } from "./unix-path.js";

export { unixPathProblem };

const fns = {
  socket: libc.func("int socket(int domain, int type, int protocol)"),
  connect: libc.func("int connect(int fd, const void *addr, uint32_t len)"),
  close: libc.func("int close(int fd)"),
  shutdown: libc.func("int shutdown(int fd, int how)"),
  isatty: libc.func("int isatty(int fd)"),
  winsize: libc.func("int ioctl(int fd, unsigned long request, _Out_ void *winsize)"),
};

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const TIOCGWINSZ = 0x5413;
const SHUT_RDWR = 2;

/** A connected descriptor, or the call that failed and its errno name. */
export type UnixConnection = { fd: number } | { syscall: "socket" | "connect"; errno: Errno };

/**
 * A blocking SOCK_STREAM socket (close-on-exec) connected to the unix socket
 * at `path`; the caller owns the descriptor (fs.closeSync). A path too long
 * for sockaddr_un fails as connect would, with ENAMETOOLONG; one with a NUL
 * byte, with EINVAL (it would name another file).
 */
export function connectUnix(path: string): UnixConnection {
  const bytes = Buffer.from(path);
  if (bytes.includes(0)) return { syscall: "connect", errno: "EINVAL" };
  if (bytes.length >= SUN_PATH) return { syscall: "connect", errno: "ENAMETOOLONG" };
  const address = Buffer.alloc(2 + SUN_PATH);
  address.writeUInt16LE(AF_UNIX, 0);
  address.set(bytes, 2);
  const fd = fns.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return { syscall: "socket", errno: errnoName(koffi.errno()) };
  if (fns.connect(fd, address, 2 + bytes.length + 1) === 0) return { fd };
  const errno = errnoName(koffi.errno());
  fns.close(fd);
  return { syscall: "connect", errno };
}

/**
 * Ends both directions of the connection on `fd` (shutdown(2)), which stays
 * open for the caller to close. Unlike close, this wakes a read or a write
 * blocked on the socket in another thread (libuv's pool): they return at
 * once, so a peer that stopped reading cannot hold a write, and the process,
 * for ever. False if `fd` is no connected socket.
 */
export function shutdownSocket(fd: number): boolean {
  return fns.shutdown(fd, SHUT_RDWR) === 0;
}

/** Whether `fd` is a terminal (isatty(3)). */
export function isTerminal(fd: number): boolean {
  return fns.isatty(fd) === 1;
}

/** The width in columns of the terminal `fd` is, as Node's tty streams give `columns`; undefined for anything else. */
export function terminalColumns(fd: number): number | undefined {
  // struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel, each an unsigned short.
  const winsize = new Uint16Array(4);
  if (fns.winsize(fd, TIOCGWINSZ, winsize) !== 0) return undefined;
  const columns = winsize[1] as number;
  return columns > 0 ? columns : undefined;
}
