/**
 * ptrace(2) for tests that hold a thread of another process still (or step it from system call to system call),
 * so that the order of what happens is the test's, not the scheduler's.
 */
import { closeSync, openSync, readSync } from "node:fs";
import koffi from "koffi";

const libc = koffi.load("libc.so.6");
export const ptrace = libc.func("long ptrace(int request, int pid, uintptr_t addr, uintptr_t data)");
/** ptrace whose data is a buffer the kernel fills (PTRACE_GET_SYSCALL_INFO). */
export const ptraceInto = libc.func("long ptrace(int request, int pid, uintptr_t addr, _Out_ uint8_t *data)");
export const waitpid = libc.func("int waitpid(int pid, _Out_ int *status, int options)");
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_SYSCALL = 24;
export const PTRACE_DETACH = 17;
export const PTRACE_GET_SYSCALL_INFO = 0x420e;
export const PTRACE_O_TRACESYSGOOD = 1;
/** waitpid: wait for a thread that is not the process's leader. */
export const WALL = 0x40000000;

/** waitpid status of a system call stop (PTRACE_O_TRACESYSGOOD): SIGTRAP | 0x80. */
const SYSCALL_STOP = 0x80 | 5;
const INFO_ENTRY = 1;
const INFO_EXIT = 2;

export function traced(what: string, ret: number | bigint): void {
  if (Number(ret) < 0) throw new Error(`${what}: errno ${koffi.errno()}`);
}

/** Seizes thread `tid` (PTRACE_O_TRACESYSGOOD) and stops it: the caller steps it with stopAt, and detaches it. */
export function seizeStopped(tid: number): void {
  traced("PTRACE_SEIZE", ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD));
  traced("PTRACE_INTERRUPT", ptrace(PTRACE_INTERRUPT, tid, 0, 0));
  traced("waitpid", waitpid(tid, [0], WALL));
}

/** A system call stop: the call's number and first three arguments; at its exit (not its entry), what it returned. */
export interface SyscallStop {
  nr: bigint;
  args: bigint[];
  returned?: number;
}

/** Runs thread `tid` (seized, stopped) from system call stop to system call stop until `wanted` takes one; leaves it stopped there. */
export function stopAt(tid: number, wanted: (stop: SyscallStop) => boolean): SyscallStop {
  const info = new Uint8Array(80);
  const view = new DataView(info.buffer);
  let entered: SyscallStop | undefined;
  for (let stops = 0; stops < 1_000_000; stops++) {
    traced("PTRACE_SYSCALL", ptrace(PTRACE_SYSCALL, tid, 0, 0));
    const status = [0];
    traced("waitpid", waitpid(tid, status, WALL));
    const s = status[0] as number;
    if ((s & 0xff) !== 0x7f) throw new Error(`the traced thread ended (status ${s})`);
    if (((s >> 8) & 0xffff) !== SYSCALL_STOP) continue;
    traced("PTRACE_GET_SYSCALL_INFO", ptraceInto(PTRACE_GET_SYSCALL_INFO, tid, info.length, info));
    const op = view.getUint8(0);
    let stop: SyscallStop | undefined;
    if (op === INFO_ENTRY) {
      entered = { nr: view.getBigUint64(24, true), args: [0, 1, 2].map((i) => view.getBigUint64(32 + 8 * i, true)) };
      stop = entered;
    } else if (op === INFO_EXIT && entered) {
      stop = { ...entered, returned: Number(view.getBigInt64(24, true)) };
    }
    if (stop && wanted(stop)) return stop;
  }
  throw new Error("the system call never came");
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
