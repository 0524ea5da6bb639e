/**
 * @neslink/codec-wasm — rtnetlink message encoding and decoding, compiled from
 * Rust to WebAssembly. The types of everything that crosses the boundary are
 * generated from the crate's Rust types (generated/types.d.ts); this file
 * only names them and declares the functions index.js exports.
 *
 * Every function is batched: one call encodes or decodes many messages.
 * Malformed input throws a `CodecError` (never a hang, never a crash).
 */
import type {
  AddrRequest as AddrFields,
  Message as AnyMessage,
  NewLinkRequest as NewLinkFields,
  RouteRequest as RouteFields,
  SetLink,
} from "./generated/types.js";

export type {
  Address,
  Done,
  HeadsMessage,
  LinkHead,
  LinkHeadMessage,
  ErrorAck,
  GretapOptions,
  Limits,
  Link,
  LinkKind,
  MacvlanOptions,
  MessageHeader,
  Neighbour,
  Nsid,
  OperState,
  RawAttr,
  RawMessage,
  Request,
  Route,
  VethOptions,
  VxlanOptions,
} from "./generated/types.js";

/** The kinds that take options: each kind's options ride in the newLink field named as the kind. */
export type OptionedKind = Extract<import("./generated/types.js").LinkKind, keyof NewLinkFields>;
/** A kind's options (IFLA_INFO_DATA), as newLink takes them. */
export type KindOptions<K extends OptionedKind> = NonNullable<NewLinkFields[K]>;
/** The macvlan modes (IFLA_MACVLAN_MODE). */
export type MacvlanMode = NonNullable<KindOptions<"macvlan">["mode"]>;

/** A decoded message; narrow on `kind` ("link", "address", "route", "error", "done", "other"). */
export type Message = AnyMessage;

/** A newLink request, as it stands in a `Request` list. */
export type NewLinkRequest = { type: "newLink" } & NewLinkFields;
/** A newAddr or delAddr request. */
export type AddrRequest = { type: "newAddr" | "delAddr" } & AddrFields;
/** A newRoute or delRoute request. */
export type RouteRequest = { type: "newRoute" | "delRoute" } & RouteFields;

/** The changes a setLink request can carry, without the link it targets. */
export type SetLinkChanges = Omit<SetLink, "index" | "byName"> & { type: "setLink" };

/**
 * RTM_NEWLINK with NLM_F_ACK on an existing link (as `ip link set dev X ...`). The link is its
 * `index`, or `byName` (ifi_index 0 and IFLA_IFNAME, which cannot be combined with a rename).
 */
export type SetLinkRequest = SetLinkChanges & ({ index: number; byName?: never } | { byName: string; index?: never; name?: never });

/** Thrown for malformed bytes or requests. `code` is stable. */
export interface CodecError extends Error {
  code: "ERR_NETLINK_DECODE" | "ERR_NETLINK_ENCODE";
}

/** Compiles the wasm module now; otherwise the first encode or decode does (~3.5 ms of CPU). */
export function load(): void;
/** Encodes many requests into one buffer, ready for a single sendmsg(). */
export function encodeRequests(requests: readonly import("./generated/types.js").Request[]): Uint8Array;
/** Decodes every message in a buffer (one or many recv() results concatenated). */
export function decodeMessages(bytes: Uint8Array): Message[];
/** decodeMessages, with each link message read only as far as its index, group and alias (`kind: "linkHead"`). */
export function decodeLinkHeads(bytes: Uint8Array): import("./generated/types.js").HeadsMessage[];
/** Decodes every message into its generic header + attribute tree (known nests expanded). */
export function decodeRaw(bytes: Uint8Array): import("./generated/types.js").RawMessage[];
/** Encodes generic messages; encodeRaw(decodeRaw(b)) returns b byte for byte. */
export function encodeRaw(messages: readonly import("./generated/types.js").RawMessage[]): Uint8Array;
