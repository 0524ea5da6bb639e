/**
 * linkDo and mustLinkDo: in a namespace, get (or create) a link, then run
 * link actions on it — nsDo with one composite action, so the same pool,
 * errors and "got back" signal apply. What the calling thread can do with no
 * worker (link-here.ts) linkDo does there; the pool is loaded only when one
 * must, so that `@neslink/core/link` starts none.
 */

import type { Link } from "@neslink/codec-wasm";
import type { LinkAction, LinkResultsOf } from "./actions/link-actions.js";
import { type LinkDoResult, link, type NsActionSpec } from "./actions/ns-actions.js";
import { linkDoFitsHere, linkDoHere } from "./link-here.js";
import type { LinkProvider } from "./links/providers.js";
import type { NsHandle } from "./namespace/handle.js";
import { isExisting, type NsProvider } from "./namespace/providers.js";
import type { Pool } from "./pool/pool.js";
import { type RunOptions, splitOptions } from "./pool/run-options.js";
import { nsProvider as checkNsProvider } from "./validate/providers.js";

export interface LinkDoOutcome<R extends unknown[]> {
  /** The link as the kernel reports it after the actions (before, if an action deleted it). */
  link: Link;
  results: R;
  /** The worker thread got back to its original namespace (the seed's `ok`). */
  returned: boolean;
  created?: NsHandle;
}

/**
 * Gets the link `linkProvider` names (or creates it) inside the namespace,
 * then runs `actions` on it in order. A failing action rejects with an
 * ActionError carrying its cause's code, whose index is into `actions` (-1
 * for the link provider, which its `action` names). Without options, a
 * bridge or ifb made in an existing namespace, or a link found there and
 * maybe deleted, is done from the calling thread (see link-here.ts), with
 * the same result and errors.
 */
export function linkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
/** With the task's options last: `{ timeoutMs, signal }` (see Pool#run). */
export function linkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: [...A, RunOptions]
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
export function linkDo(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: (LinkAction | RunOptions)[]
): Promise<LinkDoOutcome<unknown[]>> {
  return runLinkDoOn(undefined, nsProvider, linkProvider, args);
}

/** linkDo on a given pool (always on one of its workers). */
export function linkDoOn<const A extends readonly LinkAction[]>(
  pool: Pool,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
export function linkDoOn<const A extends readonly LinkAction[]>(
  pool: Pool,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: [...A, RunOptions]
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
export function linkDoOn(
  pool: Pool,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: (LinkAction | RunOptions)[]
): Promise<LinkDoOutcome<unknown[]>> {
  return runLinkDoOn(pool, nsProvider, linkProvider, args);
}

/**
 * What every linkDo variant does; `args` are the link actions, maybe
 * followed by options. Without a pool, and without options, from the
 * calling thread where it can.
 */
async function runLinkDoOn(
  pool: Pool | undefined,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  args: readonly (LinkAction | RunOptions)[],
): Promise<LinkDoOutcome<unknown[]>> {
  const { actions, options } = splitOptions<LinkAction>(args, "linkActions");
  const composite = link(linkProvider, ...actions) as Extract<NsActionSpec, { kind: "link" }>;
  // Checked once, and that copy used from here on: a getter read again could tell the path chosen one thing and the work another.
  const provider = checkNsProvider("provider", nsProvider);
  if (pool === undefined && options === undefined && isExisting(provider) && linkDoFitsHere(composite.link, composite.actions)) {
    const done = await linkDoHere(provider, composite.link, composite.actions);
    if (done !== undefined) return { ...done, returned: true };
  }
  const { defaultPool, runOn } = await import("./nsdo.js");
  // The one action sent is the composite na.link: the worker places a failure among its link actions, the caller's.
  const { results, returned, created } = await runOn(pool ?? defaultPool(), provider, options ? [composite, options] : [composite], {
    linkDo: true,
  });
  const outcome = results[0] as LinkDoResult;
  return { ...outcome, returned, ...(created && { created }) };
}

/** linkDo, with a failed return to the original namespace fatal (see mustNsDo). */
export function mustLinkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
export function mustLinkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: [...A, RunOptions]
): Promise<LinkDoOutcome<LinkResultsOf<A>>>;
export function mustLinkDo(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...args: (LinkAction | RunOptions)[]
): Promise<LinkDoOutcome<unknown[]>> {
  return import("./nsdo.js").then(({ defaultPool, must }) => must(() => runLinkDoOn(defaultPool(), nsProvider, linkProvider, args)));
}
