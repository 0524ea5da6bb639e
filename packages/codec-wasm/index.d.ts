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

export type Message =
  | LinkMessage
  | AddressMessage
  | RouteMessage
  | NeighbourMessage
  | NsidMessage
  | ErrorMessage
  | DoneMessage
  | OtherMessage;

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
    }
  | NewLinkRequest
  | SetLinkRequest
  | {
      /** RTM_DELLINK of one link by index, or (index 0 / absent) of a whole IFLA_GROUP: the kernel's fast bulk delete. */
      type: "delLink";
      seq: number;
      pid?: number;
      index?: number;
      group?: number;
    }
  | {
      /** RTM_GETLINK for one link, by index or by IFLA_IFNAME (index absent). */
      type: "getLink";
      seq: number;
      pid?: number;
      index?: number;
      name?: string;
      extMask?: number;
    }
  | AddrRequest
  | { type: "getAddrDump"; seq: number; pid?: number /** 0 (all), 2 (AF_INET) or 10 (AF_INET6). */; family?: number }
  | RouteRequest
  | {
      type: "getRouteDump";
      seq: number;
      pid?: number;
      family?: number;
      /** RTA_TABLE filter; iproute2's `ip route show` sends 254 (main). The kernel applies it only on sockets with NETLINK_GET_STRICT_CHK. Omitted when undefined. */
      table?: number;
    }
  /** RTM_GETNEIGH dump of every family and link, as `ip neigh show` sends it. */
  | { type: "getNeighDump"; seq: number; pid?: number }
  /**
   * RTM_NEWNSID with NLM_F_ACK: gives the namespace open as `nsFd` an id in the socket's namespace
   * (`nsid` absent: the kernel chooses, as `ip netns set NAME auto`). EEXIST if it has one already.
   */
  | { type: "newNsid"; seq: number; pid?: number; nsFd: number; nsid?: number }
  /** RTM_GETNSID: the id the socket's namespace gives the namespace open as `nsFd`; one RTM_NEWNSID reply, no ACK. */
  | { type: "getNsid"; seq: number; pid?: number; nsFd: number };

/** Link kinds the codec can create. The kernel may lack some (then it answers "Unknown device type"). */
export type LinkKind = "bridge" | "veth" | "dummy" | "gretap" | "wireguard" | "vxlan" | "macvlan" | "ifb";

/**
 * RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: creates a link, laid out
 * as iproute2's `ip link add` lays out the same request.
 */
export interface NewLinkRequest {
  type: "newLink";
  seq: number;
  pid?: number;
  name: string;
  kind: LinkKind;
  /** Create it directly in the namespace open as this fd (IFLA_NET_NS_FD). */
  nsFd?: number;
  /** Created administratively up (`ip link add NAME up`): IFF_UP in ifi_flags/ifi_change. */
  up?: boolean;
  mtu?: number;
  mac?: string;
  group?: number;
  /** IFLA_MASTER: the bridge to attach to. */
  masterIndex?: number;
  /** IFLA_LINK: the parent (macvlan, vxlan's device). */
  parentIndex?: number;
  /** veth only: the peer end (VETH_INFO_PEER), optionally created directly in another namespace. */
  peer?: { name: string; nsFd?: number; mac?: string; mtu?: number };
  /** vxlan only (IFLA_VXLAN_*). */
  vxlan?: { id: number; local?: string; group?: string; remote?: string; port?: number; parentIndex?: number };
  /** gretap only (IFLA_GRE_LOCAL / IFLA_GRE_REMOTE). */
  gre?: { local?: string; remote?: string };
  /** macvlan only (IFLA_MACVLAN_MODE): "private" 1, "vepa" 2, "bridge" 4, "passthru" 8, "source" 16. */
  macvlanMode?: "private" | "vepa" | "bridge" | "passthru" | "source";
}

/**
 * RTM_NEWLINK with NLM_F_ACK on an existing link (as `ip link set dev X ...`). Only given fields change.
 * The link is its `index`, or `byName`: ifi_index 0 and IFLA_IFNAME, found by the kernel in the
 * socket's namespace (no lookup first; it cannot be combined with a rename).
 */
export type SetLinkRequest = SetLinkChanges & ({ index: number; byName?: never } | { byName: string; index?: never; name?: never });

export interface SetLinkChanges {
  type: "setLink";
  seq: number;
  pid?: number;
  /** IFLA_IFNAME: the new name. */
  name?: string;
  alias?: string;
  mac?: string;
  mtu?: number;
  /** ifi_flags/ifi_change IFF_UP. */
  up?: boolean;
  /** ifi_flags/ifi_change IFF_PROMISC. */
  promisc?: boolean;
  /** IFLA_MASTER; 0 detaches ("nomaster"). */
  masterIndex?: number;
  group?: number;
}

/** RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL, or NLM_F_REPLACE) / RTM_DELADDR, as `ip addr add|del ADDR/LEN dev X`. */
export interface AddrRequest {
  type: "newAddr" | "delAddr";
  seq: number;
  pid?: number;
  index: number;
  /** "10.0.0.1" or "2001:db8::1". */
  address: string;
  prefixLen: number;
  /** IPv4 only: IFA_BROADCAST. */
  broadcast?: string;
  replace?: boolean;
}

/** RTM_NEWROUTE (create, or replace) / RTM_DELROUTE, as `ip route add|replace|del ...`. */
export interface RouteRequest {
  type: "newRoute" | "delRoute";
  seq: number;
  pid?: number;
  /** 2 (AF_INET) or 10 (AF_INET6). */
  family: number;
  /** Destination network; absent means the default route. */
  dst?: string;
  dstLen?: number;
  gateway?: string;
  /** RTA_OIF. */
  oifIndex?: number;
  /** RTA_PRIORITY. */
  metric?: number;
  /** RT_TABLE_MAIN (254) when absent; above 255 goes in RTA_TABLE. */
  table?: number;
  replace?: boolean;
}

/** RTM_NEWADDR / RTM_DELADDR decoded. */
export interface Address {
  index: number;
  family: number;
  prefixLen: number;
  /** IFA_ADDRESS (for point-to-point links, the peer). */
  address: string | null;
  /** IFA_LOCAL. */
  local: string | null;
  label: string | null;
  scope: number;
  flags: number;
}

export interface AddressMessage extends MessageHeader {
  kind: "address";
  name: "RTM_NEWADDR" | "RTM_DELADDR";
  address: Address;
}

/** RTM_NEWROUTE / RTM_DELROUTE decoded. */
export interface Route {
  family: number;
  dst: string | null;
  dstLen: number;
  gateway: string | null;
  oifIndex: number | null;
  metric: number | null;
  /** RTA_TABLE if present, else rtm_table. */
  table: number;
  protocol: number;
  scope: number;
  /** rtm_type (RTN_UNICAST 1, RTN_LOCAL 2, ...). */
  type: number;
}

export interface RouteMessage extends MessageHeader {
  kind: "route";
  name: "RTM_NEWROUTE" | "RTM_DELROUTE";
  route: Route;
}

/** RTM_NEWNEIGH / RTM_DELNEIGH decoded. */
export interface Neighbour {
  index: number;
  family: number;
  /** NDA_DST, as an IP address. */
  dst: string | null;
  /** NDA_LLADDR, lower-case colon hex; null while incomplete or failed. */
  mac: string | null;
  /** ndm_state, NUD_* bits: 0x01 INCOMPLETE, 0x02 REACHABLE, 0x04 STALE, 0x08 DELAY, 0x10 PROBE, 0x20 FAILED, 0x40 NOARP, 0x80 PERMANENT. */
  state: number;
  /** ndm_flags (NTF_*). */
  flags: number;
  /** ndm_type (RTN_*). */
  type: number;
  vlan: number | null;
  /** NDA_MASTER. */
  masterIndex: number | null;
}

export interface NeighbourMessage extends MessageHeader {
  kind: "neighbour";
  name: "RTM_NEWNEIGH" | "RTM_DELNEIGH";
  neighbour: Neighbour;
}

/** RTM_NEWNSID / RTM_DELNSID: a reply to getNsid, or an RTNLGRP_NSID notification. */
export interface NsidMessage extends MessageHeader {
  kind: "nsid";
  name: "RTM_NEWNSID" | "RTM_DELNSID";
  /** NETNSA_NSID; -1 means "no id"; null if absent. */
  nsid: number | null;
}

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
