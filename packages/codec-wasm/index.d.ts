/**
 * @neslink/codec-wasm — rtnetlink message encoding and decoding, compiled from
 * Rust to WebAssembly. Hand-written once: this file is the boundary contract
 * between the crate (src/lib.rs) and TypeScript; index.js only parses JSON.
 *
 * Every function is batched: one call encodes or decodes many messages.
 * Malformed input throws a `CodecError` (never a hang, never a crash).
 */

/** Netlink header flags of a decoded message, surfaced as booleans. */
export interface MessageHeader {
  /** nlmsg_type, e.g. 16 for RTM_NEWLINK. */
  type: number;
  /** nlmsg_flags as sent by the kernel. */
  flags: number;
  seq: number;
  pid: number;
  /** NLM_F_MULTI: part of a multipart reply; more follows until NLMSG_DONE. */
  multi: boolean;
  /** NLM_F_DUMP_INTR: the dump was torn by a concurrent change; it must be retried. */
  dumpIntr: boolean;
}

/** IF_OPER_* as iproute2 spells it (lower case). */
export type OperState = "unknown" | "notpresent" | "down" | "lowerlayerdown" | "testing" | "dormant" | "up";

/** A link as RTM_NEWLINK / RTM_DELLINK describes it. Absent attributes are null. */
export interface Link {
  index: number;
  name: string;
  /** ifi_flags (IFF_*). */
  flags: number;
  /** IFF_UP is set (administratively up). */
  up: boolean;
  mtu: number | null;
  /** IFLA_ADDRESS as lower-case colon hex, e.g. "02:00:00:00:00:01". */
  mac: string | null;
  operstate: OperState | null;
  /** IFLA_INFO_KIND inside IFLA_LINKINFO, e.g. "bridge", "veth". Null for lo / physical. */
  kind: string | null;
  /** IFLA_MASTER: index of the bridge (or other master) this link is attached to. */
  masterIndex: number | null;
  /** IFLA_IFALIAS. */
  alias: string | null;
  /** IFLA_GROUP. */
  group: number;
  /** IFLA_LINK_NETNSID: the namespace (as seen from this one) that the peer/parent lives in. */
  linkNetnsid: number | null;
  /** IFLA_LINK: the peer's (veth) or parent's (macvlan, vxlan) index. */
  parentIndex: number | null;
}

export interface LinkMessage extends MessageHeader {
  kind: "link";
  /** "RTM_NEWLINK" or "RTM_DELLINK". */
  name: "RTM_NEWLINK" | "RTM_DELLINK";
  link: Link;
}

/** NLMSG_ERROR. errno 0 is an acknowledgement. */
export interface ErrorMessage extends MessageHeader {
  kind: "error";
  /** Positive errno (the kernel sends it negated); 0 for an ACK. */
  errno: number;
  /** NLMSGERR_ATTR_MSG: the kernel's extended-ACK text, if it gave one. */
  extAckMessage: string | null;
  /** NLMSGERR_ATTR_OFFS: byte offset into the request of the attribute at fault. */
  extAckOffset: number | null;
  /** Sequence number of the request this answers (from the echoed header). */
  requestSeq: number;
}

/** NLMSG_DONE: the end of a dump. errno is non-zero if the dump itself failed. */
export interface DoneMessage extends MessageHeader {
  kind: "done";
  errno: number;
  extAckMessage: string | null;
}

/** Any message type this slice of the codec does not decode; its payload is skipped. */
export interface OtherMessage extends MessageHeader {
  kind: "other";
}

export type Message = LinkMessage | ErrorMessage | DoneMessage | OtherMessage;

/** A request the codec can encode. More kinds arrive with later slices. */
export type Request =
  | {
      type: "getLinkDump";
      seq: number;
      /** nlmsg_pid; 0 lets the kernel fill in the port id. */
      pid?: number;
      /** IFLA_EXT_MASK (RTEXT_FILTER_*); iproute2 sends 1 (RTEXT_FILTER_VF). Omitted when undefined. */
      extMask?: number;
    }
  | {
      /** RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK, ifi_index = index, IFLA_NET_NS_FD = nsFd: moves a link to another namespace. */
      type: "setLinkNs";
      seq: number;
      pid?: number;
      index: number;
      nsFd: number;
    };

/** A generic netlink message: header, fixed family header, and its attribute tree. */
export interface RawMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The family header after nlmsghdr (e.g. struct ifinfomsg), lower-case hex. */
  fixed: string;
  attrs: RawAttr[];
}

/** An rtattr: `type` keeps the NLA_F_NESTED bit; either `data` (hex) or nested `attrs`. */
export type RawAttr = { type: number; data: string } | { type: number; attrs: RawAttr[] };

/** Thrown for malformed bytes or requests. `code` is stable. */
export interface CodecError extends Error {
  code: "ERR_NETLINK_DECODE" | "ERR_NETLINK_ENCODE";
}

/** Encodes many requests into one buffer, ready for a single sendmsg(). */
export function encodeRequests(requests: readonly Request[]): Uint8Array;
/** Decodes every message in a buffer (one or many recv() results concatenated). */
export function decodeMessages(bytes: Uint8Array): Message[];
/** Decodes every message into its generic header + attribute tree (known nests expanded). */
export function decodeRaw(bytes: Uint8Array): RawMessage[];
/** Encodes generic messages; encodeRaw(decodeRaw(b)) returns b byte for byte. */
export function encodeRaw(messages: readonly RawMessage[]): Uint8Array;
