/**
 * The program run in place of this process, inside a namespace, as
 * `ip netns exec` runs it: the calling thread enters the namespace and
 * execs the program, which keeps this process's pid, standard streams,
 * environment and terminal (job control, window size, Ctrl-C: all the
 * program's own). No child, no worker, no relay: what a one-shot
 * `neslink exec` wants, and the cheapest start there is.
 *
 * The one place a thread of core's switches namespace outside a worker, and
 * only as its last act: from the switch on, no JavaScript runs until the
 * exec has replaced it. If the exec fails, the thread goes straight back to
 * its namespace before anything else runs; a thread that cannot get back
 * (dirty) ends the process at once (_exit), as a worker that cannot is ended.
 */
import { ActionError, SystemCallError } from "./errors.js";
import * as libc from "./ffi/libc.js";
import { mayLeaveBriefly, openHome, returnOrExit } from "./namespace/brief-switch.js";
import type { NsProvider } from "./namespace/providers.js";
import { isExisting } from "./namespace/providers.js";
import { openTarget } from "./namespace/target.js";
import { resolveProgram } from "./program-path.js";
import type { NsActionSpec } from "./actions/ns-actions.js";
import { nsAction } from "./validate/actions.js";

type ExecAction = Extract<NsActionSpec, { kind: "exec" }>;

/** Signals 1..31: a child of libuv's starts with each at its default and none blocked; the program here gets the same. */
const SIGNALS = 31;
const SIGKILL = 9;
const SIGSTOP = 19;

/** Whether replaceWith can run a program in the provider's namespace (else spawn, which starts a child). */
export function canReplace(provider: NsProvider): boolean {
  return isExisting(provider) && mayLeaveBriefly();
}

/**
 * The process as the program will find it, as libuv sets up a child it
 * spawns: its standard streams kept across the exec (Node opens them
 * close-on-exec: measured, FD_CLOEXEC on 0, 1 and 2), every signal's action
 * the default (Node ignores SIGPIPE, for one) and none blocked. Returns what
 * puts this process back as it was, for when the exec fails.
 */
function asForAChild(): () => void {
  const undo: (() => void)[] = [];
  try {
    for (const fd of [0, 1, 2]) undo.push(libc.keepOnExec(fd));
    for (let signal = 1; signal <= SIGNALS; signal++) if (signal !== SIGKILL && signal !== SIGSTOP) undo.push(libc.defaultSignal(signal));
    undo.push(libc.unblockSignals());
  } catch (err) {
    for (const step of undo.reverse()) step();
    throw err;
  }
  return () => {
    for (const step of undo.reverse()) step();
  };
}

/**
 * Replaces this process with `argv` (looked up in PATH, as a shell does),
 * run inside the provider's namespace (an existing one: a name, path, pid,
 * or the caller's own). Never returns when the program starts. Throws what
 * kept it from starting, as spawn does: an ActionError whose cause is the
 * program's SystemCallError (ENOENT: not found, EACCES: not runnable) or
 * the namespace's error; nothing is changed then.
 */
export function replaceWith(provider: NsProvider, argv: readonly string[]): never {
  const action = nsAction("", { kind: "exec", argv, options: {} }) as ExecAction;
  const [file, ...args] = action.argv as [string, ...string[]];
  // The namespace first, as spawn opens it first: one that cannot be entered is its error, whatever the program.
  const { fd, own } = openTarget(provider);
  let home: number | undefined;
  try {
    let program: string;
    try {
      // Found as spawn finds it: a program that cannot run is its typed error before anything here changes.
      program = resolveProgram(file, process.env.PATH, process.cwd());
    } catch (err) {
      throw new ActionError(0, "exec", true, err, undefined, true);
    }
    if (!own) home = openHome();
    const restore = asForAChild();
    try {
      if (home !== undefined) libc.setns(fd, libc.CLONE_NEWNET, "exec");
    } catch (err) {
      restore();
      throw new ActionError(0, "exec", true, err, undefined, true);
    }
    const errno = libc.execvp(program, [file, ...args]);
    if (home !== undefined) returnOrExit(home);
    restore();
    throw new ActionError(0, "exec", true, new SystemCallError("spawn", errno, file), undefined, true);
  } finally {
    if (home !== undefined) libc.close(home);
    libc.close(fd);
  }
}
