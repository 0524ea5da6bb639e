/**
 * What a program started in a group of its own (SpawnOptions.group) started
 * in the background, ended with this process. PR_SET_PDEATHSIG kills the
 * program itself when this process dies (exec.ts), but the kernel clears it
 * in every child the program forks: after a `kill -9` of an agent or a server
 * its background children ran on inside the namespace (keeping it alive
 * after `ip netns del`). A guard outside the group waits on a pipe whose only
 * writer is this process (libuv opens its end close-on-exec): told that the
 * program ended, it exits, and what the program left running runs on, as
 * after any program that ended; at end-of-file instead (this process is gone,
 * however it ended, while the program ran), it kills the group. The group's
 * id is the program's pid, which the kernel gives no other process while any
 * member of the group lives.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** $0: the group's id. `read` fails only at end-of-file before a whole line. */
const GUARD = 'read -r _ || kill -s KILL -- "-$0"';

/**
 * Starts the guard of `program`'s group through `launch` (a pool worker records the processes it starts, see
 * children.ts). Without one (it could not start) the program runs all the same, as it did before guards.
 */
export function guardGroup(program: ChildProcess, launch: (spawnGuard: () => ChildProcess) => ChildProcess): void {
  const pgid = program.pid;
  if (pgid === undefined) return;
  let guard: ChildProcess;
  try {
    // A session of its own, so that Ctrl-C at neslink's terminal does not end it; in "/", to hold no directory.
    guard = launch(() => spawn("/bin/sh", ["-c", GUARD, String(pgid)], { cwd: "/", stdio: ["pipe", "ignore", "ignore"], detached: true }));
  } catch {
    return;
  }
  guard.on("error", () => {});
  guard.stdin?.on("error", () => {});
  // Its pipe is open only while the program runs, which holds the event loop anyway; its own end is not waited for.
  guard.unref();
  program.once("exit", () => guard.stdin?.end("\n"));
}
