/**
 * nsDo from the calling thread, with no worker, for actions that only talk
 * to the namespace's netlink socket (links, addresses, routes: every link
 * action but custom ones). The socket is opened inside the namespace by a
 * brief switch of this thread (namespace/brief-switch.ts: in, socket(2),
 * back, with no other JavaScript run between), and a netlink socket acts in
 * the namespace it was opened in wherever it is used: so every request goes
 * as a worker inside would send it, a change of an existing link, a veth
 * whose peer goes elsewhere and a vxlan's underlay included. What a
 * one-shot command (the CLI's `addr add -n`, `route add -n`, `link set -n`)
 * needs without the ~30 ms of CPU a worker takes to start.
 *
 * It needs CAP_SYS_ADMIN, as entering does, and a way back (brief-switch.ts:
 * mayLeaveBriefly). Each call opens and closes its
 * own socket, and blocks this thread for the kernel's work, as a worker's
 * thread is blocked: a program with much to do in parallel keeps the pool.
 */
import type { NsAction, NsActionSpec, ResultsOf } from "./actions/ns-actions.js";
import * as libc from "./ffi/libc.js";
import { mayLeaveBriefly } from "./namespace/brief-switch.js";
import { socketIn, withInside } from "./namespace/inside.js";
import { type ExistingNsProvider, isExisting, type NsProvider } from "./namespace/providers.js";
import { isOwn } from "./namespace/target.js";
import type { NetlinkSocket } from "./netlink/socket.js";
import type { NsDoResult } from "./nsdo.js";
import { type RunOptions, splitOptions } from "./pool/run-options.js";
import { checkTask } from "./validate/task.js";
import { placedError } from "./worker/failures.js";
import { isSocketOnly, moveLinkFrom, runSocketAction, type SocketAction } from "./worker/socket-actions.js";

/** What runs here: the socket-only actions, and a link moved to another namespace (one socket there, opened the same way). */
type HereAction = SocketAction | Extract<NsActionSpec, { kind: "setLinkNs" }>;

function runsHere(action: NsActionSpec): action is HereAction {
  return isSocketOnly(action) || action.kind === "setLinkNs";
}

/** A task checked once, which runs from here: what is run is what was checked (a getter is not read again). */
interface HereTask {
  provider: ExistingNsProvider;
  actions: HereAction[];
}

/**
 * The task as validated copies, if it can run from here: an existing
 * namespace, socket-only actions, and the right to enter. Undefined for bad
 * input too: the pool's path reports it as it always has.
 */
function hereTask(provider: NsProvider, actions: readonly NsAction[]): HereTask | undefined {
  let checked: ReturnType<typeof checkTask>;
  try {
    checked = checkTask({ provider, actions });
  } catch {
    return undefined;
  }
  const { provider: p, actions: a } = checked;
  return isExisting(p) && a.every(runsHere) && mayLeaveBriefly() ? { provider: p, actions: a } : undefined;
}

/** Whether these actions can run from here (see hereTask); false for bad input. */
export function canDoHere(provider: NsProvider, actions: readonly NsAction[]): boolean {
  return hereTask(provider, actions) !== undefined;
}

/** Work on a link moved or created into the namespace open as `targetFd`: on a socket opened inside it, and closed. */
function there<T>(targetFd: number, fn: (socket: NetlinkSocket) => T): T {
  const socket = socketIn(isOwn(targetFd), () => libc.setns(targetFd, libc.CLONE_NEWNET, "enter"));
  try {
    return fn(socket);
  } finally {
    socket.close();
  }
}

/** runHere's work, on a socket of its own from its first action to its last. */
async function runNow(socket: NetlinkSocket, actions: readonly HereAction[], linkDo: boolean): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const [index, action] of actions.entries()) {
    try {
      results.push(await (action.kind === "setLinkNs" ? moveLinkFrom(socket, action, there) : runSocketAction(socket, action, there)));
    } catch (err) {
      throw placedError(actions, linkDo, index, err, true);
    }
  }
  return results;
}

/**
 * Runs checked actions that run here (HereAction) in order on one socket of the
 * namespace, in turn with every other call from here (namespace/in-turn.ts):
 * their results, or the ActionError a worker's reply carries for the first
 * that fails (`linkDo`: the one composite action of a linkDo, placed among
 * its link actions).
 */
export function runHere(provider: ExistingNsProvider, actions: readonly HereAction[], linkDo = false): Promise<unknown[]> {
  // The socket's own failure is placed as a worker's first action's.
  return withInside(
    provider,
    (err) => placedError(actions, linkDo, 0, err, true),
    (socket) => runNow(socket, actions, linkDo),
  );
}

/**
 * nsDo, run from the calling thread where canDoHere says it can (no worker,
 * no pool started), else on the default pool as nsDo runs it. Same results
 * and errors either way; with options (`{ timeoutMs, signal }`), always on
 * the pool, which enforces them.
 */
export function nsDoHere<const A extends readonly NsAction[]>(provider: NsProvider, ...actions: A): Promise<NsDoResult<ResultsOf<A>>>;
export function nsDoHere<const A extends readonly NsAction[]>(
  provider: NsProvider,
  ...args: [...A, RunOptions]
): Promise<NsDoResult<ResultsOf<A>>>;
export async function nsDoHere(provider: NsProvider, ...args: (NsAction | RunOptions)[]): Promise<NsDoResult<unknown[]>> {
  const { actions, options } = splitOptions<NsAction>(args);
  const task = options === undefined ? hereTask(provider, actions) : undefined;
  if (task) return { results: await runHere(task.provider, task.actions), returned: true };
  const { defaultPool, runOn } = await import("./nsdo.js");
  return runOn(defaultPool(), provider, args);
}
