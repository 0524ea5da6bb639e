/**
 * @neslink/core/link — linkDo, nsDoHere, the link providers and actions, the
 * namespace actions and providers: what the CLI's one-shot `link`, `addr`
 * and `route` commands need. In an existing namespace they run from the
 * calling thread where they can (see here.ts and link-here.ts: canDoHere and
 * canLinkDoHere say when); the pool is loaded only when one must.
 */
export type { Link, LinkKind } from "@neslink/codec-wasm";
export type { LinkAction, LinkActionSpec, LinkChanges } from "./actions/link-actions.js";
export type { NsAction, ResultsOf } from "./actions/ns-actions.js";
export type { RouteInput } from "./actions/route-actions.js";
export { na } from "./actions/short-names.js";
export { canDoHere, nsDoHere } from "./here.js";
export { canLinkDoHere } from "./link-here.js";
export { type LinkDoOutcome, linkDo } from "./linkdo.js";
export type { LinkProvider, LinkRef, NewLinkOptions } from "./links/providers.js";
export { la, lp } from "./links/short-names.js";
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
export type { NsDoResult } from "./nsdo.js";
