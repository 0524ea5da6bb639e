/**
 * The libc calls core needs, and nothing else, declared once through koffi.
 *
 * Every call here but umount2Concurrent is synchronous and runs on the
 * calling thread: namespace switches and socket creation must never go
 * through koffi's async calls, whose libuv pool threads live in the process's
 * original namespace.
 */
import { errno as errnos } from "../errno.js";
import { SystemCallError } from "../errors.js";
import { koffi, libc } from "./koffi.js";

const fns = {
  socket: libc.func("int socket(int domain, int type, int protocol)"),
  bind: libc.func("int bind(int fd, const void *addr, uint32_t len)"),
  setsockopt: libc.func("int setsockopt(int fd, int level, int name, const void *value, uint32_t len)"),
  sendto: libc.func("intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)"),
  recv: libc.func("intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)"),
  open: libc.func("int open(const char *path, int flags)"),
  close: libc.func("int close(int fd)"),
  setns: libc.func("int setns(int fd, int nstype)"),
  unshare: libc.func("int unshare(int flags)"),
  mount: libc.func("int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)"),
  umount2: libc.func("int umount2(const char *target, int flags)"),
  gettid: libc.func("int gettid(void)"),
  ioctl: libc.func("int ioctl(int fd, unsigned long request, ...)"),
  openMode: libc.func("int open(const char *path, int flags, ...)"),
  fstatfs: libc.func("int fstatfs(int fd, _Out_ void *buf)"),
  flock: libc.func("int flock(int fd, int operation)"),
  poll: libc.func("int poll(_Inout_ void *fds, unsigned long nfds, int timeout)"),
  eventfd: libc.func("int eventfd(unsigned int initval, int flags)"),
  pipe2: libc.func("int pipe2(_Out_ void *fds, int flags)"),
  read: libc.func("intptr_t read(int fd, _Out_ void *buf, size_t len)"),
  write: libc.func("intptr_t write(int fd, const void *buf, size_t len)"),
  recvmsg: libc.func("intptr_t recvmsg(int fd, void *msg, int flags)"),
  fcntl: libc.func("int fcntl(int fd, int cmd, ...)"),
  sigaction: libc.func("int sigaction(int signum, const void *act, _Out_ void *oldact)"),
  sigprocmask: libc.func("int sigprocmask(int how, const void *set, _Out_ void *oldset)"),
  execvp: libc.func("int execvp(const char *file, const char **argv)"),
  exit: libc.func("void _exit(int status)"),
  waitpid: libc.func("int waitpid(int pid, void *status, int options)"),
  waitid: libc.func("int waitid(int idtype, uint32_t id, _Out_ void *info, int options)"),
  // pidfd_open and pidfd_send_signal through syscall(2): glibc has wrappers for them only since 2.36.
  syscall: libc.func("long syscall(long nr, ...)"),
};

/** Reads errno right after a failed call, before anything else can overwrite it. */
function check(syscall: string, ret: number | bigint, detail?: string): number {
  const n = Number(ret);
  if (n < 0) throw new SystemCallError(syscall, koffi.errno(), detail);
  return n;
}

export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_ROUTE = 0;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_SNDBUF = 7;
export const SO_RCVTIMEO = 20;
export const SOL_NETLINK = 270;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const CLONE_NEWNET = 0x40000000;
export const MS_BIND = 4096;
export const MS_REC = 16384;
export const MS_SHARED = 1 << 20;
export const MNT_DETACH = 2;
/** umount2: do not follow a symlink at the target (the entry itself must be the mount point). */
export const UMOUNT_NOFOLLOW = 8;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NONBLOCK = 0o4000;
export const O_NOFOLLOW = 0o400000;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;
/** open(2): a descriptor that names the file and gives no access to it (a mount's target through /proc/thread-self/fd/N). */
export const O_PATH = 0o10000000;
/** open(2) of a dir: a new file in it with no name (linkFd gives it one); it carries O_DIRECTORY's bit, as the kernel's does. */
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
/** statfs f_type of the namespace filesystem (nsfs). */
export const NSFS_MAGIC = 0x6e736673;
/** ioctl on an nsfs descriptor: which kind of namespace (a CLONE_NEW* flag). */
export const NS_GET_NSTYPE = 0xb703;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 1;

/** What records the descriptors this thread opens here as its own (see worker/descriptors.ts); none outside pool workers. */
interface DescriptorRecord {
  add(fd: number): number;
  delete(fd: number): void;
}

/** What holds off the end of this thread while an open and its record are under way (see worker/end-gate.ts). */
interface Gate {
  enter(): void;
  leave(): void;
}

let recorded: { record: DescriptorRecord; gate: Gate } | undefined;

/**
 * Has every descriptor this thread opens through here recorded in `record` from the moment it is open until it
 * is closed here. A pool worker can be ended at any point of a task (a timeout, an abort), and the pool then closes
 * what it recorded: one left out (an entry's file, flock'ed from a create's claim to its mount, a socket opened in a
 * new namespace) stays open for the process's life, holding its lock or its namespace. `gate` keeps the end from
 * landing between a system call and its record: an open and its bit, a bit's removal and its close.
 */
export function recordDescriptorsIn(record: DescriptorRecord, gate: Gate): void {
  recorded = { record, gate };
}

/**
 * `step` (system calls and their record, nothing that waits) given this thread's record if one is set, and then
 * run so that the thread cannot be ended within it: what it opens is recorded, or what it closes no longer is,
 * whenever the pool ends the thread. ~3 atomics (tens of ns) around system calls of a µs or more.
 */
function inStep<T>(step: (record: DescriptorRecord | undefined) => T): T {
  if (recorded === undefined) return step(undefined);
  const { record, gate } = recorded;
  gate.enter();
  try {
    return step(record);
  } finally {
    gate.leave();
  }
}

/**
 * What `declare` makes (koffi declarations), made at its first use rather than at every thread's load, within a
 * step: a pool worker ended inside koffi's declaration aborts the process (FATAL ERROR: napi_throw), and a task
 * aborted while it runs ends its worker wherever it is.
 */
function declaredLate<T>(declare: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= inStep(declare);
    return made;
  };
}

/** The descriptor `open` returns (a raw return value, checked as `syscall`'s), recorded as this thread's when a record is set. */
function opened(syscall: string, open: () => number | bigint, detail?: string): number {
  return inStep((record) => {
    const fd = check(syscall, open(), detail);
    return record === undefined ? fd : record.add(fd);
  });
}

export function socket(domain: number, type: number, protocol: number): number {
  return opened("socket", () => fns.socket(domain, type, protocol));
}

export function bind(fd: number, addr: Uint8Array): void {
  check("bind", fns.bind(fd, addr, addr.byteLength));
}

export function setsockopt(fd: number, level: number, name: number, value: Uint8Array, detail?: string): void {
  check("setsockopt", fns.setsockopt(fd, level, name, value, value.byteLength), detail);
}

/** Sends the whole buffer as one datagram to the kernel (netlink port 0). */
export function send(fd: number, buf: Uint8Array): number {
  return check("sendto", fns.sendto(fd, buf, buf.byteLength, 0, null, 0));
}

/** Receives one datagram; returns its length, or -errno for EAGAIN/EINTR so callers can retry or time out. */
export function recv(fd: number, buf: Uint8Array, flags = 0): number {
  const n = Number(fns.recv(fd, buf, buf.byteLength, flags));
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (errno === errnos.EAGAIN || errno === errnos.EINTR) return -errno;
  throw new SystemCallError("recv", errno);
}

const O_RDONLY_CLOEXEC = 0o2000000;

/**
 * Opens a file read-only for a descriptor handed to the user. Not fs.openSync:
 * Node tracks descriptors a worker opens through fs and closes them when the
 * worker exits, which would invalidate the user's handle.
 */
export function openUntracked(path: string): number {
  return opened("open", () => fns.open(path, O_RDONLY_CLOEXEC), path);
}

/**
 * open(2) with the caller's flags (and mode when creating), untracked like
 * openUntracked. O_CLOEXEC is always added.
 */
export function openWith(path: string, flags: number, mode = 0): number {
  return opened("open", () => fns.openMode(path, flags | O_CLOEXEC, "uint32_t", mode), path);
}

/** struct statfs is 120 bytes on 64-bit Linux; f_type (a long) comes first. */
const STATFS_SIZE = 120;

/** The filesystem type (statfs f_type) of what `fd` refers to. */
export function fsType(fd: number): number {
  const buf = new Uint8Array(STATFS_SIZE);
  check("fstatfs", fns.fstatfs(fd, buf), `fd ${fd}`);
  return Number(new DataView(buf.buffer).getBigInt64(0, true));
}

/** The CLONE_NEW* type of the namespace an nsfs descriptor refers to (NS_GET_NSTYPE). */
export function nsType(fd: number): number {
  return check("ioctl", fns.ioctl(fd, NS_GET_NSTYPE), `NS_GET_NSTYPE fd ${fd}`);
}

/** ioctl on an nsfs descriptor: the namespace's 64-bit id (Linux 6.12+), unique for the boot and never reused, unlike its inode. */
export const NS_GET_ID = 0x8008b70d;
const nsIdBuffer = new Uint8Array(8);
const nsIdView = new DataView(nsIdBuffer.buffer);

/**
 * The id of the namespace an nsfs descriptor refers to (NS_GET_ID), as a decimal string (a u64); undefined where
 * the kernel has no such ioctl (ENOTTY, EINVAL before 6.12).
 */
export function nsId(fd: number): string | undefined {
  if (Number(fns.ioctl(fd, NS_GET_ID, "void *", nsIdBuffer)) < 0) {
    const e = koffi.errno();
    if (e === errnos.ENOTTY || e === errnos.EINVAL) return undefined;
    throw new SystemCallError("ioctl", e, `NS_GET_ID fd ${fd}`);
  }
  return nsIdView.getBigUint64(0, true).toString();
}

/** Declared at their first use (a watch's), not at every thread's load: ~60 us each. */
const handleCalls = declaredLate(() => ({
  nameToHandleAt: libc.func("int name_to_handle_at(int dirfd, const char *path, _Inout_ void *handle, _Out_ void *mountId, int flags)"),
  openByHandleAt: libc.func("int open_by_handle_at(int mountFd, const void *handle, int flags)"),
}));

const AT_EMPTY_PATH = 0x1000;
/** open_by_handle_at's "mount" for a namespace's handle (Linux 6.18+): nsfs itself. */
const FD_NSFS_ROOT = -10003;
/** struct file_handle: handle_bytes (u32), handle_type (int), then MAX_HANDLE_SZ bytes at most. */
const HANDLE_HEADER = 8;
const MAX_HANDLE_SZ = 128;

/**
 * A file handle of the namespace an nsfs descriptor refers to (Linux 6.18+):
 * it names that namespace alone (by its 64-bit id, never reused) and holds no
 * reference on it, so it can be kept without keeping the namespace alive.
 * undefined where nsfs gives no handles (EOPNOTSUPP before 6.18).
 */
export function namespaceHandle(fd: number): Uint8Array | undefined {
  const handle = new Uint8Array(HANDLE_HEADER + MAX_HANDLE_SZ);
  const view = new DataView(handle.buffer);
  view.setUint32(0, MAX_HANDLE_SZ, true);
  if (handleCalls().nameToHandleAt(fd, "", handle, new Int32Array(1), AT_EMPTY_PATH) < 0) {
    const e = koffi.errno();
    if (e === errnos.EOPNOTSUPP || e === errnos.ENOSYS) return undefined;
    throw new SystemCallError("name_to_handle_at", e, `fd ${fd}`);
  }
  return handle.slice(0, HANDLE_HEADER + view.getUint32(0, true));
}

/** A descriptor on the namespace `handle` names (namespaceHandle); undefined once the kernel has destroyed it (ESTALE). */
export function openNamespaceHandle(handle: Uint8Array): number | undefined {
  return inStep((record) => {
    const fd = handleCalls().openByHandleAt(FD_NSFS_ROOT, handle, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) return record === undefined ? fd : record.add(fd);
    const e = koffi.errno();
    if (e === errnos.ESTALE) return undefined;
    throw new SystemCallError("open_by_handle_at", e, "a namespace's handle");
  });
}

/** Declared at its first use (a named namespace's create), not at every thread's load. */
const linkat = declaredLate(() => libc.func("int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)"));

const AT_FDCWD = -100;
const AT_SYMLINK_FOLLOW = 0x400;

/**
 * Gives the file open as `fd` (one made by O_TMPFILE, with no name yet) the name `path`; EEXIST if something is there.
 * Through /proc/thread-self/fd/N (AT_SYMLINK_FOLLOW): AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH.
 */
export function linkFd(fd: number, path: string): void {
  check("linkat", linkat()(AT_FDCWD, `/proc/thread-self/fd/${fd}`, AT_FDCWD, path, AT_SYMLINK_FOLLOW), path);
}

/** flock(2) without waiting; false if another open file holds a conflicting lock. */
export function tryLock(fd: number, operation: number): boolean {
  const ret = fns.flock(fd, operation | LOCK_NB);
  if (ret === 0) return true;
  const errno = koffi.errno();
  if (errno === errnos.EWOULDBLOCK) return false;
  throw new SystemCallError("flock", errno, `fd ${fd}`);
}

const O_RDONLY_NONBLOCK_CLOEXEC = 0o2000000 | 0o4000;

/** As openUntracked, but never waits: a FIFO planted where a namespace file should be does not block the thread. */
export function openNonBlocking(path: string): number {
  return opened("open", () => fns.open(path, O_RDONLY_NONBLOCK_CLOEXEC), path);
}

const WNOHANG = 1;

/** Collects the child `pid` if it has ended (its exit status is not wanted): true once it is gone, false while it runs. */
export function reapChild(pid: number): boolean {
  const ret = fns.waitpid(pid, null, WNOHANG);
  if (ret > 0) return true;
  if (ret === 0) return false;
  const errno = koffi.errno();
  // ECHILD: collected already, or never ours: nothing is left to wait for either way.
  if (errno === errnos.ECHILD) return true;
  throw new SystemCallError("waitpid", errno, `pid ${pid}`);
}

/** The same number on every architecture (the syscall table was unified before them, Linux 5.1 and 5.3). */
const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;

/**
 * A pidfd on the child `pid`, which must not have been collected yet (it names the process the pid was given to
 * then, and only that one), or -1 where the kernel gives none (before Linux 5.3) or no descriptor is left.
 * Close-on-exec, as the kernel opens every pidfd. Not recorded as the thread's (recordDescriptorsIn): its caller
 * keeps it with the program (worker/children.ts) and closes it with closePidfd.
 */
export function openPidfd(pid: number): number {
  const fd = Number(fns.syscall(SYS_PIDFD_OPEN, "int", pid, "unsigned int", 0));
  return fd < 0 ? -1 : fd;
}

export function closePidfd(pidfd: number): void {
  check("close", fns.close(pidfd), `pidfd ${pidfd}`);
}

const SIGKILL = 9;

/** SIGKILL to the process `pidfd` names; one that has ended already is no error. */
export function killPidfd(pidfd: number): void {
  if (Number(fns.syscall(SYS_PIDFD_SEND_SIGNAL, "int", pidfd, "int", SIGKILL, "void *", null, "unsigned int", 0)) === 0) return;
  const errno = koffi.errno();
  if (errno !== errnos.ESRCH) throw new SystemCallError("pidfd_send_signal", errno, `pidfd ${pidfd}`);
}

const P_PIDFD = 3;
const WEXITED = 4;
/** siginfo_t (128 bytes); waitid sets si_pid (at 16) to the child's pid once it collects one, leaves it 0 otherwise. */
const siginfo = new Uint8Array(128);
const siginfoView = new DataView(siginfo.buffer);

/**
 * Collects the child `pidfd` names if it has ended (its exit status is not wanted): true once it is gone (collected
 * now, or by another waiter before: ECHILD), false while it runs. Never another process, whatever has its pid now.
 */
export function reapPidfd(pidfd: number): boolean {
  siginfoView.setInt32(16, 0, true);
  const ret = fns.waitid(P_PIDFD, pidfd, siginfo, WEXITED | WNOHANG);
  if (ret === 0) return siginfoView.getInt32(16, true) !== 0;
  const errno = koffi.errno();
  if (errno === errnos.ECHILD) return true;
  throw new SystemCallError("waitid", errno, `pidfd ${pidfd}`);
}

export function close(fd: number): void {
  inStep((record) => {
    // Before the close: once closed, the number may be reused by an open of another thread.
    record?.delete(fd);
    check("close", fns.close(fd));
  });
}

export function setns(fd: number, nstype: number, detail?: string): void {
  check("setns", fns.setns(fd, nstype), detail);
}

export function unshare(flags: number): void {
  check("unshare", fns.unshare(flags));
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number): void {
  check("mount", fns.mount(source, target, fstype, flags, null), target);
}

export function umount2(target: string, flags: number): void {
  check("umount2", fns.umount2(target, flags), target);
}

/**
 * umount2 on a libuv pool thread; resolves false if it failed (call umount2
 * for the reason). Unmounting depends on no thread's network namespace, and
 * each unmount waits for an RCU grace period, which concurrent ones share.
 */
export function umount2Concurrent(target: string, flags: number): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      fns.umount2.async(target, flags, (err: unknown, ret: number) => resolve(!err && ret === 0));
    } catch {
      // koffi refuses beyond its limit of calls in flight: the caller's synchronous retry does it.
      resolve(false);
    }
  });
}

/**
 * Concurrent calls a caller should keep in flight: as many as koffi keeps
 * memory for (its resident async pools, 8 by default). Each call beyond them
 * maps a stack and a heap of its own (264 kB) and unmaps them when it ends,
 * and every unmap of a multi-threaded process interrupts its other CPUs to
 * flush their TLBs: at 16 in flight, half of a teardown's unmounts did (~10 ms
 * of CPU per 500), for no more throughput (libuv runs 4 at a time).
 */
export const CONCURRENT_CALLS = koffi.config().resident_async_pools ?? 8;

const SIOCGIFINDEX = 0x8933;
/** struct ifreq: ifr_name[IFNAMSIZ], then the union whose ifr_ifindex is an int. */
const IFREQ_SIZE = 40;
const IFNAMSIZ = 16;
const utf8 = new TextEncoder();

/**
 * The index of the link named `name` in the namespace socket `fd` belongs to
 * (SIOCGIFINDEX, as if_nametoindex). Unlike RTM_GETLINK it builds no message
 * and does not make the kernel settle the link's pending state first.
 */
export function ifIndex(fd: number, name: string): number {
  const ifreq = new Uint8Array(IFREQ_SIZE);
  if (utf8.encodeInto(name, ifreq.subarray(0, IFNAMSIZ - 1)).read !== name.length) {
    throw new SystemCallError("ioctl", errnos.EINVAL, `link name ${JSON.stringify(name)} is longer than ${IFNAMSIZ - 1} bytes`);
  }
  check("ioctl", fns.ioctl(fd, SIOCGIFINDEX, "void *", ifreq), `SIOCGIFINDEX ${name}`);
  return new DataView(ifreq.buffer).getInt32(IFNAMSIZ, true);
}

export function gettid(): number {
  return fns.gettid();
}

/**
 * poll(2) on `fds`, struct pollfd laid out in place (int fd, short events,
 * short revents: 8 bytes each); returns how many are ready, 0 on timeout or
 * a signal. Never select(): it breaks past descriptor 1023.
 */
export function poll(fds: Uint8Array, timeoutMs: number): number {
  const n = Number(fns.poll(fds, fds.byteLength / 8, timeoutMs));
  if (n >= 0) return n;
  const errno = koffi.errno();
  if (errno === errnos.EINTR) return 0;
  throw new SystemCallError("poll", errno);
}

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;

/** A non-blocking eventfd: one thread wakes another out of poll() by writing to it. `detail`: what for, said if refused. */
export function eventfd(detail?: string): number {
  return check("eventfd", fns.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), detail);
}

/**
 * A pipe, [read end, write end], both close-on-exec: a program started meanwhile from another thread does not
 * inherit it, and one given an end as its stdio gets a copy without the flag (dup2). Not recorded as a worker's
 * (recordDescriptorsIn): its caller closes the write end at once, and the read end becomes a net.Socket's, which
 * Node closes; the pool closing it too could close another descriptor given the same number meanwhile.
 */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  check("pipe2", fns.pipe2(fds, O_CLOEXEC));
  return [fds[0] as number, fds[1] as number];
}

const one = new BigUint64Array([1n]);
const counter = new Uint8Array(8);

/** Adds one to an eventfd's counter, making it readable. */
export function signalEventfd(fd: number): void {
  check("write", fns.write(fd, new Uint8Array(one.buffer), 8), "eventfd");
}

/** Resets an eventfd's counter; false if it was not signalled. */
export function drainEventfd(fd: number): boolean {
  const n = Number(fns.read(fd, counter, 8));
  if (n >= 0) return true;
  const errno = koffi.errno();
  if (errno === errnos.EAGAIN) return false;
  throw new SystemCallError("read", errno, "eventfd");
}

/** Native memory for recvmsg: koffi passes a pointer inside a struct only as an address. */
interface MsgBuffers {
  data: Uint8Array;
  control: Uint8Array;
  header: Uint8Array;
  headerPtr: unknown;
}

const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;

/**
 * recvmsg(2) with a control buffer, for netlink's per-datagram control
 * messages (the sender's nsid with NETLINK_LISTEN_ALL_NSID). The buffers live
 * in native memory whose addresses go into struct msghdr / struct iovec.
 */
export class MessageReceiver {
  readonly #mem: MsgBuffers;
  readonly #pointers: unknown[];

  constructor(dataSize: number, controlSize = 64) {
    const data = koffi.alloc("uint8_t", dataSize);
    const control = koffi.alloc("uint8_t", controlSize);
    const header = koffi.alloc("uint8_t", MSGHDR_SIZE + IOVEC_SIZE);
    this.#pointers = [data, control, header];
    const headerView = new DataView(koffi.view(header, MSGHDR_SIZE + IOVEC_SIZE));
    const iov = koffi.address(header) + BigInt(MSGHDR_SIZE);
    headerView.setBigUint64(MSGHDR_SIZE, koffi.address(data), true);
    headerView.setBigUint64(MSGHDR_SIZE + 8, BigInt(dataSize), true);
    headerView.setBigUint64(16, iov, true); // msg_iov
    headerView.setBigUint64(24, 1n, true); // msg_iovlen
    headerView.setBigUint64(32, koffi.address(control), true); // msg_control
    this.#mem = {
      data: new Uint8Array(koffi.view(data, dataSize)),
      control: new Uint8Array(koffi.view(control, controlSize)),
      header: new Uint8Array(koffi.view(header, MSGHDR_SIZE)),
      headerPtr: header,
    };
  }

  /** The last datagram's bytes start here (a view on native memory, valid until the next receive). */
  get data(): Uint8Array {
    return this.#mem.data;
  }

  /**
   * Receives one datagram without waiting: its length (MSG_TRUNC: the real
   * length, may exceed the buffer), or -EAGAIN when none is queued. ENOBUFS
   * (the kernel dropped messages) is thrown as a SystemCallError.
   */
  receive(fd: number): number {
    const view = new DataView(this.#mem.header.buffer, this.#mem.header.byteOffset);
    view.setBigUint64(40, BigInt(this.#mem.control.byteLength), true); // msg_controllen, in and out
    view.setInt32(48, 0, true);
    const n = Number(fns.recvmsg(fd, this.#mem.headerPtr, MSG_DONTWAIT | 0x20 /* MSG_TRUNC */));
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === errnos.EAGAIN || errno === errnos.EINTR) return -errnos.EAGAIN;
    throw new SystemCallError("recvmsg", errno);
  }

  /** The int payload of the last datagram's control message of this level and type, if it had one. */
  controlInt(level: number, type: number): number | undefined {
    const header = new DataView(this.#mem.header.buffer, this.#mem.header.byteOffset);
    const length = Number(header.getBigUint64(40, true));
    const control = new DataView(this.#mem.control.buffer, this.#mem.control.byteOffset);
    // struct cmsghdr: size_t len, int level, int type, then data; each aligned to 8.
    for (let at = 0; at + 20 <= length; ) {
      const len = Number(control.getBigUint64(at, true));
      if (len < 16) return undefined;
      if (control.getInt32(at + 8, true) === level && control.getInt32(at + 12, true) === type) return control.getInt32(at + 16, true);
      at += (len + 7) & ~7;
    }
    return undefined;
  }

  /** Frees the native memory; the receiver is unusable after. */
  free(): void {
    for (const p of this.#pointers.splice(0)) koffi.free(p);
  }
}

// ---- what replacing this process with a program needs (replace.ts) ----

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
/** glibc's struct sigaction on x86-64 (handler, 128-byte mask, flags, restorer), and its sigset_t. */
const SIGACTION_SIZE = 152;
const SIGSET_SIZE = 128;
const SIG_SETMASK = 2;

/** Clears FD_CLOEXEC on `fd`; returns a function that puts its flags back. */
export function keepOnExec(fd: number): () => void {
  const flags = check("fcntl", fns.fcntl(fd, F_GETFD, "int", 0), `fd ${fd}`);
  check("fcntl", fns.fcntl(fd, F_SETFD, "int", flags & ~FD_CLOEXEC), `fd ${fd}`);
  return () => void fns.fcntl(fd, F_SETFD, "int", flags);
}

/** Sets `signal`'s action to the default (SIG_DFL, no flags, empty mask); returns a function that puts the previous one back. */
export function defaultSignal(signal: number): () => void {
  const previous = new Uint8Array(SIGACTION_SIZE);
  check("sigaction", fns.sigaction(signal, new Uint8Array(SIGACTION_SIZE), previous), `signal ${signal}`);
  return () => void fns.sigaction(signal, previous, null);
}

/** Unblocks every signal of the calling thread; returns a function that puts its mask back. */
export function unblockSignals(): () => void {
  const previous = new Uint8Array(SIGSET_SIZE);
  check("sigprocmask", fns.sigprocmask(SIG_SETMASK, new Uint8Array(SIGSET_SIZE), previous));
  return () => void fns.sigprocmask(SIG_SETMASK, previous, null);
}

/**
 * execvp(3) (the environment is this process's; given a path, no search, but
 * a file with no recognised header runs through /bin/sh, as a spawned one
 * does): returns only if the program could not be started, with its errno.
 */
export function execvp(file: string, argv: readonly string[]): number {
  fns.execvp(file, [...argv, null]);
  return koffi.errno();
}

/** _exit(2): the process ends now, running nothing more (no exit handlers). */
export function exitNow(status: number): never {
  fns.exit(status);
  throw new Error("_exit returned");
}
