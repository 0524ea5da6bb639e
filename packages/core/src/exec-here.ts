/**
 * spawn and exec without a worker. util-linux's nsenter enters the
 * namespace and runs the program: it is given the namespace as
 * /proc/PID/fd/N, the descriptor core opened and checked
 * (namespace/target.ts), which names that very file for as long as it stays
 * open, so nothing can be swapped in between. No
 * thread of this process changes namespace, and no worker starts: a program
 * run once from a shell starts as fast as `ip netns exec` makes it.
 *
 * Used only when it can work as the worker would: nsenter is installed and
 * this process may enter namespaces (CAP_SYS_ADMIN) and open another
 * process's descriptors through /proc (CAP_SYS_PTRACE); otherwise spawn goes
 * through a worker, whose errors are typed rather than nsenter's exit status.
 */

import type { ChildProcess } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import type { ExecOptions, ExecResult, SpawnOptions, SpawnStdio } from "./actions/ns-actions.js";
import { CAP_SYS_ADMIN, CAP_SYS_PTRACE, hasCaps, helper } from "./capabilities.js";
import { ActionError } from "./errors.js";
import { identityOfFd, identityOfPath, keyOfIdentity } from "./ffi/identity.js";
import * as libc from "./ffi/libc.js";
import type { NsProvider } from "./namespace/providers.js";
import { isExisting } from "./namespace/providers.js";
import { openTarget } from "./namespace/target.js";
import { collect, type KillSource, start, whenEnded } from "./worker/exec.js";
import type { ExecExit } from "./worker/exec-messages.js";

/** nsenter's path, when this process can use it as described above. */
function usableNsenter(): string | undefined {
  return hasCaps(CAP_SYS_ADMIN, CAP_SYS_PTRACE) ? helper("nsenter") : undefined;
}

/** The program, and its end: when it has ended and its output has all been read. */
export interface Started {
  child: ChildProcess;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ExecExit>;
}

/** A program that could not start fails as exec does on a worker: the one action of its task, said as the call's. */
const failed = (err: unknown) => new ActionError(0, "exec", true, err, undefined, true);

/** nsenter entering the namespace open as `fd`, then running the rest; nothing for the caller's own namespace. */
const entering = (fd: number, own: boolean): string[] =>
  own ? [] : [usableNsenter() as string, `--net=/proc/${process.pid}/fd/${fd}`, "--"];

/** Whether spawnHere and execHere can start a program in the provider's namespace. */
export function canSpawnHere(provider: NsProvider): boolean {
  return isExisting(provider) && usableNsenter() !== undefined;
}

/**
 * Starts the program in the provider's namespace from this thread and
 * resolves once it runs (the checks and errors of the worker's start: a
 * missing program is ENOENT before anything starts). With "inherit" its
 * stdio are this process's, and its streams here end at once.
 */
export function spawnHere(provider: NsProvider, argv: readonly string[], options: SpawnOptions, stdio: SpawnStdio): Promise<Started> {
  const { fd, own } = openTarget(provider);
  let child: ChildProcess;
  try {
    child = start(argv, options, stdio, entering(fd, own));
  } catch (err) {
    libc.close(fd);
    throw failed(err);
  }
  // nsenter opens the descriptor's /proc entry after its exec: kept open until the program has ended, as a worker's would be.
  let closed = false;
  const release = () => {
    if (!closed) libc.close(fd);
    closed = true;
  };
  // Node resumes (drops) a child's output nobody reads when it exits: read into streams of our own from the start, which pass the reader's pace back (pipe).
  const stdout = child.stdout?.pipe(new PassThrough()) ?? new PassThrough().end();
  const stderr = child.stderr?.pipe(new PassThrough()) ?? new PassThrough().end();
  // Listened to from the start: a short program can have ended before the caller gets it.
  const exited = new Promise<ExecExit>((resolve) =>
    whenEnded(child, (status, signal) => {
      release();
      // Pipes closed on this side (a background process held them) do not end what they were piped to.
      stdout.end();
      stderr.end();
      resolve({ status, signal });
    }),
  );
  const started = { child, exited, stdout, stderr };
  const inside = own ? undefined : keyOfIdentity(identityOfFd(fd));
  return new Promise((resolve, reject) => {
    child.once("spawn", () => (inside === undefined ? resolve(started) : whenInside(child, inside, () => resolve(started))));
    child.once("error", (err) => {
      release();
      reject(failed(err));
    });
  });
}

/**
 * Calls `then` once the child is in the namespace `key` names, or has ended:
 * "spawned" means the program runs inside, as when a worker inside forks it,
 * and nsenter enters only after its own exec (a millisecond or so).
 */
function whenInside(child: ChildProcess, key: string, then: () => void): void {
  const look = () => {
    if (child.exitCode !== null || child.signalCode !== null) return then();
    try {
      if (keyOfIdentity(identityOfPath(`/proc/${child.pid}/ns/net`)) === key) return then();
    } catch {
      // Gone between the two looks: its exit comes next.
    }
    setImmediate(look);
  };
  look();
}

/**
 * Runs the program in the provider's namespace from this thread to its end
 * and collects its output, as the worker's na.exec does (same limits, result
 * and errors: the one action of its task).
 */
export async function execHere(
  provider: NsProvider,
  argv: readonly string[],
  options: ExecOptions,
  kills?: KillSource,
): Promise<ExecResult> {
  const { fd, own } = openTarget(provider);
  try {
    // nsenter opens the descriptor's /proc entry after its exec: it stays open until the program has ended.
    return await collect(argv, options, entering(fd, own), kills);
  } catch (err) {
    throw failed(err);
  } finally {
    libc.close(fd);
  }
}
