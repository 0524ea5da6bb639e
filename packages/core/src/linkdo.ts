/**
 * linkDo and mustLinkDo: in a namespace, get (or create) a link, then run
 * link actions on it — nsDo with one composite action, so the same pool,
 * errors and "got back" signal apply.
 */

import type { Link } from "@neslink/codec-wasm";
import type { LinkAction, LinkResultsOf } from "./actions/link-actions.js";
import { link } from "./actions/ns-actions.js";
import type { LinkProvider } from "./links/providers.js";
import type { NsHandle } from "./namespace/handle.js";
import type { NsProvider } from "./namespace/providers.js";
import { defaultPool, must, runOn, splitOptions } from "./nsdo.js";
import type { Pool, RunOptions } from "./pool/pool.js";

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
 * for the link provider, which its `action` names).
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
  return runLinkDoOn(defaultPool(), nsProvider, linkProvider, args);
}

/** linkDo on a given pool. */
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

/** What every linkDo variant does; `args` are the link actions, maybe followed by options. */
async function runLinkDoOn(
  pool: Pool,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  args: readonly (LinkAction | RunOptions)[],
): Promise<LinkDoOutcome<unknown[]>> {
  const { actions, options } = splitOptions<LinkAction>(args, "linkActions");
  const composite = link(linkProvider, ...actions);
  // The one action sent is the composite na.link: the worker places a failure among its link actions, the caller's.
  const { results, returned, created } = await runOn(pool, nsProvider, options ? [composite, options] : [composite], { linkDo: true });
  const outcome = results[0] as Pick<LinkDoOutcome<unknown[]>, "link" | "results">;
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
  return must(() => runLinkDoOn(defaultPool(), nsProvider, linkProvider, args));
}
