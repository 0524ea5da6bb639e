/**
 * linkDo and mustLinkDo: in a namespace, get (or create) a link, then run
 * link actions on it — nsDo with one composite action, so the same pool,
 * errors and "got back" signal apply.
 */

import type { Link } from "@neslink/codec-wasm";
import type { LinkAction, LinkResultsOf } from "./actions/link-actions.js";
import { link } from "./actions/ns-actions.js";
import { ActionError } from "./errors.js";
import type { LinkProvider } from "./links/providers.js";
import type { NsHandle } from "./namespace/handle.js";
import type { NsProvider } from "./namespace/providers.js";
import { defaultPool, must, nsDoOn } from "./nsdo.js";
import type { Pool } from "./pool/pool.js";

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
export async function linkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>> {
  return linkDoOn(defaultPool(), nsProvider, linkProvider, ...actions);
}

/** linkDo on a given pool. */
export async function linkDoOn<const A extends readonly LinkAction[]>(
  pool: Pool,
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>> {
  try {
    const { results, returned, created } = await nsDoOn(pool, nsProvider, link(linkProvider, ...actions));
    const [outcome] = results;
    return { ...outcome, returned, ...(created && { created }) };
  } catch (err) {
    // The one action sent is the composite na.link: what the caller gave are its link actions, so index into those.
    if (err instanceof ActionError && err.linkActionIndex !== undefined) {
      throw new ActionError(err.linkActionIndex, err.action, err.returned, err.cause);
    }
    throw err;
  }
}

/** linkDo, with a failed return to the original namespace fatal (see mustNsDo). */
export async function mustLinkDo<const A extends readonly LinkAction[]>(
  nsProvider: NsProvider,
  linkProvider: LinkProvider,
  ...actions: A
): Promise<LinkDoOutcome<LinkResultsOf<A>>> {
  return must(() => linkDo(nsProvider, linkProvider, ...actions));
}
