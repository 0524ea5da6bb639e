/**
 * Named namespaces created and deleted from the calling thread, so that a
 * one-shot `neslink ns add` or `ns del` starts no worker (Node 20 boots one in
 * ~30 ms of CPU before it loads anything).
 *
 * Create: this thread claims the entry, then, under its lock, makes the
 * namespace with a brief switch (namespace/brief-switch.ts: unshare(2), open
 * the new namespace, back home, with nothing else run meanwhile) and
 * bind-mounts it on the entry through that descriptor, as a worker does
 * (namespace/claim.ts). A kill can leave only what it leaves a worker: a
 * stale entry the next create takes over, or a namespace no one holds, which
 * the kernel frees. Used where it works as the worker would: CAP_SYS_ADMIN
 * (unshare, mount), and a way back (namespace/brief-switch.ts).
 *
 * Delete: check, unmount and unlink change no namespace (namespace/remove.ts).
 * But a worker keeps descriptors and sockets on the namespaces it worked in,
 * which keep a namespace alive after its name is gone, and only its own
 * delete closes them: so this thread deletes only while no pool is open.
 */
import type { NamedNs, NsAction, RemovedNs } from "./actions/ns-actions.js";
import { ActionError, asDirectCall } from "./errors.js";
import * as libc from "./ffi/libc.js";
import { awayBriefly, mayLeaveBriefly } from "./namespace/brief-switch.js";
import { createNamedWith } from "./namespace/claim.js";
import { DEFAULT_NETNS_DIR } from "./namespace/paths.js";
import { deleteNamed } from "./namespace/remove.js";
import { anyPoolOpen } from "./pool/open-pools.js";
import type { Pool } from "./pool/pool.js";
import { deleteNamed as deleteNamedAction, newNamed } from "./validate/named-actions.js";

type NamedAction = Extract<NsAction, { kind: "newNamed" | "deleteNamed" }>;

/** The action on a worker of `pool` (default: the default pool, loaded only now). */
async function onWorker<R extends NamedNs>(action: NamedAction, pool: Pool | undefined): Promise<R> {
  const [{ defaultPool, nsDoOn }, { now }] = await Promise.all([import("./nsdo.js"), import("./namespace/providers.js")]);
  const {
    results: [done],
  } = await nsDoOn(pool ?? defaultPool(), now(), action as NsAction<R>);
  return done;
}

/**
 * The action as one call: here (`run`), or on a worker of `pool` without it.
 * Here, it fails as the worker's would: the one action of its task, the
 * thread back home. Either way, said as the call's ("(newNamed)"), not as
 * action #0 of a list the caller never wrote.
 */
async function oneCall<R extends NamedNs>(action: NamedAction, pool: Pool | undefined, run?: () => R | Promise<R>): Promise<R> {
  try {
    return run === undefined ? await onWorker<R>(action, pool) : await run();
  } catch (err) {
    throw asDirectCall(run === undefined ? err : new ActionError(0, action.kind, true, err));
  }
}

/**
 * Creates a named namespace as `ip netns add` does (`na.createNamed` as one
 * call). Without `pool`, where it can, no worker starts (see above); with a
 * pool, a worker of it makes the namespace.
 */
export async function addNamed(name: string, dir: string = DEFAULT_NETNS_DIR, pool?: Pool): Promise<NamedNs> {
  const action = newNamed("", { kind: "newNamed", name, dir });
  if (pool !== undefined || !mayLeaveBriefly()) return oneCall(action, pool);
  let fresh: number | undefined;
  try {
    return await oneCall(action, pool, () =>
      createNamedWith(action.name, action.dir, () => {
        // Held by this descriptor alone until mounted: closed below, success or not.
        fresh = awayBriefly(
          () => libc.unshare(libc.CLONE_NEWNET),
          () => libc.openUntracked("/proc/thread-self/ns/net"),
        );
        return `/proc/thread-self/fd/${fresh}`;
      }),
    );
  } finally {
    if (fresh !== undefined) libc.close(fresh);
  }
}

/**
 * Deletes a named namespace (or the stale entry a crash left) as `ip netns
 * del` does (`na.deleteNamed` as one call). Without `pool`, while no pool is
 * open, no worker starts; otherwise a worker deletes it and closes what it
 * holds on it.
 */
export async function removeNamed(name: string, dir: string = DEFAULT_NETNS_DIR, pool?: Pool): Promise<RemovedNs> {
  const action = deleteNamedAction("", { kind: "deleteNamed", name, dir });
  if (pool !== undefined || anyPoolOpen()) return oneCall<RemovedNs>(action, pool);
  return oneCall(action, pool, () => deleteNamed(action.name, action.dir).ns);
}
