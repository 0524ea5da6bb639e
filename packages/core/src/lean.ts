/**
 * @neslink/core/lean — everything @neslink/core has but topologies (and the
 * Go seed's aliases): providers, actions, nsDo/linkDo, spawn, the pool,
 * errors. For programs whose start-up counts, such as a one-shot CLI call:
 * it does not load the topology engine's YAML parser and schema validators.
 */
export type { Address, KindOptions, Link, LinkKind, MacvlanMode, Neighbour, OperState, OptionedKind, Route } from "@neslink/codec-wasm";
export type { AddrChange, LinkAction, LinkActionSpec, LinkChanges, LinkResultsOf } from "./actions/link-actions.js";
export type {
  DeletedNs,
  DeleteNamedOptions,
  ExecOptions,
  ExecResult,
  LinkDoResult,
  NamedNs,
  NsAction,
  NsActionSpec,
  RemovedNs,
  ResultOf,
  ResultsOf,
  SpawnOptions,
  SpawnStdio,
} from "./actions/ns-actions.js";
export type { RouteInput, RouteSpec } from "./actions/route-actions.js";
export { na } from "./actions/short-names.js";
export {
  AbortedError,
  ActionError,
  AlreadyExistsError,
  DumpInterruptedError,
  ERROR_CODES,
  type Errno,
  type ErrorCode,
  type ErrorJSON,
  ExecLimitError,
  errorFromJSON,
  KindUnsupportedError,
  NamespaceDirBusyError,
  NamespaceEnterError,
  NamespaceReturnError,
  type NeslinkCode,
  NeslinkError,
  NetlinkError,
  NotANamespaceError,
  NotFoundError,
  PoolError,
  rootCause,
  SystemCallError,
  TimeoutError,
  toErrorJSON,
  ValidationError,
} from "./errors.js";
export { type GoneWatch, watchGone } from "./events/gone.js";
export { applyEvent, emptyState, type NamespaceState } from "./events/state.js";
export type {
  AddressEvent,
  GoneEvent,
  LinkEvent,
  LinkField,
  NeighbourEvent,
  NsidEvent,
  ResyncEvent,
  RouteEvent,
  StateEvent,
  SyncedEvent,
  WatchEvent,
  WatchGroup,
} from "./events/types.js";
export { EventStream, type WatchOptions, type WatchTargets, watch } from "./events/watch.js";
export { type ExecControl, type ExecExit, type ExecProcess, exec, spawn } from "./exec.js";
export { type RegularFileOptions, readRegularFile } from "./files/regular.js";
export { canDoHere, nsDoHere } from "./here.js";
export { LINK_KIND_RULES, LINK_KINDS, type Need } from "./kinds.js";
export { canLinkDoHere } from "./link-here.js";
export { type LinkDoOutcome, linkDo, linkDoOn, mustLinkDo } from "./linkdo.js";
export type {
  LinkOptions,
  LinkProvider,
  LinkRef,
  NewLinkOf,
  NewLinkOptions,
  NewLinkSpec,
  VethPeer,
  VethPeerSpec,
  VxlanOptions,
} from "./links/providers.js";
export { la, lp } from "./links/short-names.js";
export { addNamed, removeNamed } from "./named-here.js";
export { NsHandle, type NsHandleJSON } from "./namespace/handle.js";
export { listNamed } from "./namespace/list.js";
export { listNetns } from "./namespace/list-ids.js";
export { ns } from "./namespace/ns.js";
export { DEFAULT_NETNS_DIR, type NsProvider } from "./namespace/providers.js";
export { type PruneResult, pruneNamed, pruneNamedAsync } from "./namespace/prune.js";
export { readAddrs, readLinks } from "./namespace/read.js";
export type { RequestStats, RequestType } from "./netlink/request-counts.js";
export { closeDefaultPool, configure, defaultPool, must, mustNsDo, type NsDoResult, nsDo, nsDoOn } from "./nsdo.js";
export { openFileLimit } from "./open-file-limit.js";
export { Pool, type PoolOptions, type RunOptions } from "./pool/pool.js";
export { AGENT_MARK, HTTP_SERVER_MARK, holdMark, markHolders, markSelf } from "./process-mark.js";
export {
  type AddressJSON,
  type LinkEventJSON,
  type LinkJSON,
  type NeighbourJSON,
  type NetnsJSON,
  type RouteJSON,
  toAddressJSON,
  toEventJSON,
  toLinkJSON,
  toNeighbourJSON,
  toRouteJSON,
  type WatchEventJSON,
} from "./shapes.js";
