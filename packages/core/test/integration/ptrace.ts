/**
 * ptrace(2) for tests that hold a thread of another process still (or step it from system call to system call),
 * so that the order of what happens is the test's, not the scheduler's.
 */
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
