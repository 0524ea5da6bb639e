/**
 * The pools this process (this thread) has open. A worker keeps descriptors
 * and sockets on the namespaces it worked in, and those keep a namespace
 * alive after its name is removed, its links with it (a veth's far end stays
 * in the host): only the worker closes them. So a deletion, by any pool,
 * returns only once every open pool has let go of the namespace, and a named
 * namespace is removed from the calling thread (named-here.ts) only while no
 * pool is open.
 *
 * The registry lives on globalThis under a registered symbol, not in this
 * module: a process that loads core twice (its ES module and CommonJS
 * builds, `import` in one place and `require` in another, or two versions)
 * has a module instance, and a default pool, per copy, and each must see the
 * others'. What a pool offers the others is a plain function, so copies need
 * share no class.
 */

/** Asks a pool's workers to close what they hold on namespaces ("dev:ino" keys) deleted elsewhere; settles once they have. */
export type Forget = (keys: readonly string[]) => Promise<void>;

const REGISTRY = Symbol.for("@neslink/core: open pools, v1");

function registry(): Set<Forget> {
  const shared = globalThis as { [REGISTRY]?: Set<Forget> };
  shared[REGISTRY] ??= new Set();
  return shared[REGISTRY];
}

export function poolOpened(forget: Forget): void {
  registry().add(forget);
}

export function poolClosed(forget: Forget): void {
  registry().delete(forget);
}

/** Whether any pool of this process is open (started and not yet closed), whichever copy of core started it. */
export function anyPoolOpen(): boolean {
  return registry().size > 0;
}

/** Has every open pool but `own` forget namespaces `own`'s workers deleted; settles once each has. */
export async function othersForget(own: Forget, keys: readonly string[]): Promise<void> {
  await Promise.all([...registry()].filter((forget) => forget !== own).map((forget) => forget(keys)));
}
