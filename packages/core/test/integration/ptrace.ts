/**
 * ptrace(2) for tests that hold a thread of another process still (or step it from system call to system call),
 * so that the order of what happens is the test's, not the scheduler's.
 */
import { closeSync, openSync, readSync } from "node:fs";
import koffi from "koffi";

const libc = koffi.load("libc.so.6");
export const ptrace = libc.func("long ptrace(int request, int pid, uintptr_t addr, uintptr_t data)");
/** ptrace whose data is a buffer the kernel fills (PTRACE_GET_SYSCALL_INFO, PTRACE_GETEVENTMSG). */
export const ptraceInto = libc.func("long ptrace(int request, int pid, uintptr_t addr, _Out_ uint8_t *data)");
export const waitpid = libc.func("int waitpid(int pid, _Out_ int *status, int options)");
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_SYSCALL = 24;
export const PTRACE_CONT = 7;
export const PTRACE_POKEUSER = 6;
export const PTRACE_DETACH = 17;
export const PTRACE_GETEVENTMSG = 0x4201;
export const PTRACE_GET_SYSCALL_INFO = 0x420e;
export const PTRACE_O_TRACESYSGOOD = 1;
export const PTRACE_O_TRACEFORK = 2;
export const PTRACE_O_TRACEVFORK = 4;
export const PTRACE_O_TRACECLONE = 8;
export const PTRACE_EVENT_FORK = 1;
export const PTRACE_EVENT_VFORK = 2;
export const PTRACE_EVENT_CLONE = 3;
/** waitpid: wait for a thread that is not the process's leader. */
export const WALL = 0x40000000;
/** waitpid status of a system call stop (PTRACE_O_TRACESYSGOOD): SIGTRAP | 0x80. */
const SYSCALL_STOP = 0x80 | 5;
const SIGTRAP = 5;
const INFO_ENTRY = 1;
const INFO_EXIT = 2;

/** x86_64 system call numbers. */
export const SYS_CLOSE = 3;
export const SYS_MMAP = 9;
export const SYS_SOCKET = 41;
export const SYS_CLONE = 56;
export const SYS_WAIT4 = 61;
export const SYS_PRCTL = 157;
export const SYS_OPENAT = 257;

export function traced(what: string, ret: number | bigint): void {
  if (Number(ret) < 0) throw new Error(`${what}: errno ${koffi.errno()}`);
}

/** The NUL-terminated string at `address` in process `pid`'s memory. */
export function stringAt(pid: number, address: bigint): string {
  const mem = openSync(`/proc/${pid}/mem`, "r");
  try {
    const buf = Buffer.alloc(256);
    readSync(mem, buf, 0, buf.length, address);
    return buf.subarray(0, buf.indexOf(0)).toString();
  } finally {
    closeSync(mem);
  }
}

/** Which system call to stop at, given its number, its arguments and (at its return) what it returned. */
export type Wanted = (nr: bigint, args: bigint[], returned: number) => boolean;

/** The signal to resume a stop of waitpid status `s` with: a signal-delivery stop's own, none for any other stop. */
function passed(s: number): number {
  const signal = (s >> 8) & 0xff;
  return s >> 16 === 0 && signal !== SIGTRAP && s >> 8 !== SYSCALL_STOP ? signal : 0;
}

/** A system call stop: at the call's entry (`returned` NaN) or its exit. */
interface SyscallStop {
  entry: boolean;
  nr: bigint;
  args: bigint[];
  returned: number;
}

const info = new Uint8Array(80);
const infoView = new DataView(info.buffer);

/** Resumes thread `tid` (seized, PTRACE_O_TRACESYSGOOD) to its next system call stop; undefined once it has ended. */
function nextSyscall(tid: number): SyscallStop | undefined {
  for (let signal = 0; ; ) {
    traced("PTRACE_SYSCALL", ptrace(PTRACE_SYSCALL, tid, 0, signal));
    const status = [0];
    traced("waitpid", waitpid(tid, status, WALL));
    const s = status[0] as number;
    if ((s & 0xff) !== 0x7f) return undefined;
    signal = passed(s);
    if (((s >> 8) & 0xffff) !== SYSCALL_STOP) continue;
    traced("PTRACE_GET_SYSCALL_INFO", ptraceInto(PTRACE_GET_SYSCALL_INFO, tid, info.length, info));
    const op = infoView.getUint8(0);
    if (op === INFO_ENTRY) {
      const args = [0, 1, 2, 3, 4, 5].map((i) => infoView.getBigUint64(32 + 8 * i, true));
      return { entry: true, nr: infoView.getBigUint64(24, true), args, returned: Number.NaN };
    }
    if (op === INFO_EXIT) return { entry: false, nr: -1n, args: [], returned: Number(infoView.getBigInt64(24, true)) };
  }
}

/**
 * Runs thread `tid` (seized, PTRACE_O_TRACESYSGOOD) from system call to system call until one `wanted` returns
 * (`at` "exit") or is about to run (`at` "entry", `returned` NaN); leaves it stopped there and returns what it returned.
 */
export function stopAt(tid: number, wanted: Wanted, at: "entry" | "exit" = "exit"): number {
  let entered: SyscallStop | undefined;
  for (let stops = 0; stops < 1_000_000; stops++) {
    const stop = nextSyscall(tid);
    if (stop === undefined) throw new Error("the traced thread ended");
    if (stop.entry) {
      entered = stop;
      if (at === "entry" && wanted(stop.nr, stop.args, Number.NaN)) return Number.NaN;
    } else if (entered && at === "exit" && wanted(entered.nr, entered.args, stop.returned)) {
      return stop.returned;
    }
  }
  throw new Error("the system call never came");
}

/** Where orig_rax, the number of the system call being entered, sits in x86_64's struct user (user_regs_struct). */
const ORIG_RAX = 15 * 8;

/**
 * Steps thread `tid` (seized, PTRACE_O_TRACESYSGOOD) until it ends, making each system call `wanted` fail with ENOSYS
 * (its number replaced by -1 as it is entered: the kernel runs none); returns how many.
 */
export function failEach(tid: number, wanted: Wanted): number {
  let failed = 0;
  for (let stops = 0; stops < 1_000_000; stops++) {
    const stop = nextSyscall(tid);
    if (stop === undefined) return failed;
    if (!stop.entry || !wanted(stop.nr, stop.args, Number.NaN)) continue;
    traced("PTRACE_POKEUSER", ptrace(PTRACE_POKEUSER, tid, ORIG_RAX, 0xffffffffffffffffn));
    failed++;
  }
  throw new Error("the thread never ended");
}

/** Seizes thread `tid` (system call stops marked) and stops it where it is. */
export function seizeStopped(tid: number): void {
  traced("PTRACE_SEIZE", ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD));
  traced("PTRACE_INTERRUPT", ptrace(PTRACE_INTERRUPT, tid, 0, 0));
  waitStop(tid);
}

/** Waits for thread `tid`'s next stop (a new thread's first, once auto-attached); leaves it stopped there. */
export function waitStop(tid: number): void {
  const status = [0];
  traced("waitpid", waitpid(tid, status, WALL));
  if (((status[0] as number) & 0xff) !== 0x7f) throw new Error(`the traced thread ended (status ${status[0]})`);
}

/**
 * Lets thread `tid` (seized with the PTRACE_O_TRACE* options for `events`, running) run until one of those event stops
 * (a fork, a clone); other stops pass, signals delivered as they were meant. Leaves it stopped there; returns the new
 * task's id.
 */
export function runUntilEvent(tid: number, ...events: number[]): number {
  for (let stops = 0; stops < 10_000; stops++) {
    const status = [0];
    traced("waitpid", waitpid(tid, status, WALL));
    const s = status[0] as number;
    if ((s & 0xff) !== 0x7f) throw new Error(`the traced thread ended (status ${s})`);
    if (events.some((event) => s >> 8 === (SIGTRAP | (event << 8)))) {
      const message = new Uint8Array(8);
      traced("PTRACE_GETEVENTMSG", ptraceInto(PTRACE_GETEVENTMSG, tid, 0, message));
      return Number(new DataView(message.buffer).getBigUint64(0, true));
    }
    traced("PTRACE_CONT", ptrace(PTRACE_CONT, tid, 0, passed(s)));
  }
  throw new Error("the event never came");
}

/** MAP_STACK: koffi's init maps the stack its calls run on. */
const MAP_STACK = 0x20000n;

/**
 * The return of the mmap(2) of a stack that follows a thread's read of koffi's native package's manifest: the thread
 * is then in process.dlopen of koffi's module (already loaded by the main thread: no open of it), in koffi's init for
 * this thread, where being ended aborts the process.
 */
export function inKoffiInit(pid: number): Wanted {
  let manifest = false;
  return (nr, args) => {
    if (nr === BigInt(SYS_OPENAT)) manifest ||= stringAt(pid, args[1] as bigint).endsWith("/koffi-linux-x64/package.json");
    return manifest && nr === BigInt(SYS_MMAP) && ((args[3] as bigint) & MAP_STACK) !== 0n;
  };
}
