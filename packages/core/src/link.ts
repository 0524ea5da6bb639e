/**
 * @neslink/core/link — linkDo, the link providers and actions, and the
 * namespace providers: what `neslink link add` and `link del` need. A bridge
 * or ifb made in an existing namespace, or a link found there and deleted,
 * needs no worker (see link-here.ts: canLinkDoHere says which); the pool is
 * loaded only when one must.
 */
export type { Link, LinkKind } from "@neslink/codec-wasm";
export type { LinkAction, LinkActionSpec, LinkChanges } from "./actions/link-actions.js";
export { canLinkDoHere } from "./link-here.js";
export { type LinkDoOutcome, linkDo } from "./linkdo.js";
export type { LinkProvider, LinkRef, NewLinkOptions } from "./links/providers.js";
export { la, lp } from "./links/short-names.js";
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
