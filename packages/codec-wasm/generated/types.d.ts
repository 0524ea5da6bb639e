// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
/**
 * The netlink header of a decoded message, its flags also as booleans.
 */

export type MessageHeader = { 
/**
 * nlmsg_type, e.g. 16 for RTM_NEWLINK.
 */
type: number, 
/**
 * nlmsg_flags as the kernel sent them.
 */
flags: number, seq: number, pid: number, 
/**
 * NLM_F_MULTI: part of a multipart reply; more follows until NLMSG_DONE.
 */
multi: boolean, 
/**
 * NLM_F_DUMP_INTR: the dump was torn by a concurrent change; it must be retried.
 */
dumpIntr: boolean, };

/**
 * IF_OPER_* in kernel order, spelled as iproute2 prints them (lower case).
 */

export type OperState = "unknown" | "notpresent" | "down" | "lowerlayerdown" | "testing" | "dormant" | "up";

/**
 * A link as RTM_NEWLINK / RTM_DELLINK describes it. Absent attributes are null.
 */

export type Link = { index: number, name: string, 
/**
 * ifi_flags (IFF_*).
 */
flags: number, 
/**
 * IFF_UP is set (administratively up).
 */
up: boolean, mtu: number | null, 
/**
 * IFLA_ADDRESS as lower-case colon hex, e.g. "02:00:00:00:00:01".
 */
mac: string | null, operstate: OperState | null, 
/**
 * IFLA_INFO_KIND inside IFLA_LINKINFO, e.g. "bridge", "veth". Null for lo and physical links.
 */
kind: string | null, 
/**
 * IFLA_MASTER: index of the bridge (or other master) this link is attached to.
 */
masterIndex: number | null, 
/**
 * IFLA_IFALIAS.
 */
alias: string | null, 
/**
 * IFLA_GROUP (0 when absent).
 */
group: number, 
/**
 * IFLA_LINK_NETNSID: the namespace (as seen from this one) that the peer or parent lives in.
 */
linkNetnsid: number | null, 
/**
 * IFLA_LINK: the peer's (veth) or parent's (macvlan) index. A vxlan's parent is its `vxlan.parentIndex`.
 */
parentIndex: number | null, 
/**
 * A vxlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.
 */
vxlan?: VxlanOptions, 
/**
 * A macvlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.
 */
macvlan?: MacvlanOptions, 
/**
 * A macvtap's IFLA_INFO_DATA (macvlan's attributes), as the newLink options that would make it; absent for another kind.
 */
macvtap?: MacvlanOptions, };

/**
 * RTM_NEWADDR / RTM_DELADDR decoded.
 */

export type Address = { index: number, 
/**
 * 2 (AF_INET) or 10 (AF_INET6).
 */
family: number, prefixLen: number, 
/**
 * IFA_ADDRESS (for point-to-point links, the peer).
 */
address: string | null, 
/**
 * IFA_LOCAL.
 */
local: string | null, 
/**
 * IFA_LABEL.
 */
label: string | null, scope: number, 
/**
 * IFA_FLAGS if present, else ifa_flags (IFA_F_*).
 */
flags: number, };

/**
 * RTM_NEWROUTE / RTM_DELROUTE decoded.
 */

export type Route = { family: number, 
/**
 * RTA_DST; null for the default route.
 */
dst: string | null, dstLen: number, 
/**
 * RTA_GATEWAY.
 */
gateway: string | null, 
/**
 * RTA_OIF.
 */
oifIndex: number | null, 
/**
 * RTA_PRIORITY.
 */
metric: number | null, 
/**
 * RTA_TABLE if present, else rtm_table.
 */
table: number, protocol: number, scope: number, 
/**
 * rtm_type (RTN_UNICAST 1, RTN_LOCAL 2, ...).
 */
type: number, };

export type Neighbour = { index: number, family: number, 
/**
 * NDA_DST: the IP address (or, for bridge fdb entries, absent).
 */
dst: string | null, 
/**
 * NDA_LLADDR as colon hex; absent while the entry is incomplete or failed.
 */
mac: string | null, 
/**
 * ndm_state, NUD_* bits (0x80 PERMANENT, 0x02 REACHABLE, 0x04 STALE, ...).
 */
state: number, 
/**
 * ndm_flags, NTF_* bits.
 */
flags: number, 
/**
 * ndm_type (an RTN_* value).
 */
type: number, vlan: number | null, masterIndex: number | null, };

export type Nsid = { 
/**
 * NETNSA_NSID: the id; -1 when the namespace has none in the asking one.
 */
nsid: number | null, 
/**
 * NETNSA_CURRENT_NSID, in replies to a dump with a target: the asking
 * namespace's own id for the same namespace (-1: it gave none).
 */
currentNsid?: number, };

/**
 * NLMSG_ERROR. errno 0 is an acknowledgement.
 */

export type ErrorAck = { 
/**
 * Positive errno (the kernel sends it negated); 0 for an ACK.
 */
errno: number, 
/**
 * NLMSGERR_ATTR_MSG: the kernel's extended-ACK text, if it gave one.
 */
extAckMessage: string | null, 
/**
 * NLMSGERR_ATTR_OFFS: byte offset into the request of the attribute at fault.
 */
extAckOffset: number | null, 
/**
 * Sequence number of the request this answers (from the echoed header).
 */
requestSeq: number, };

/**
 * NLMSG_DONE: the end of a dump. errno is non-zero if the dump itself failed.
 */

export type Done = { errno: number, extAckMessage: string | null, };

export type Body = { "kind": "link", name: "RTM_NEWLINK" | "RTM_DELLINK", link: Link, } | { "kind": "address", name: "RTM_NEWADDR" | "RTM_DELADDR", address: Address, } | { "kind": "route", name: "RTM_NEWROUTE" | "RTM_DELROUTE", route: Route, } | { "kind": "neighbour", name: "RTM_NEWNEIGH" | "RTM_DELNEIGH", neighbour: Neighbour, } | { "kind": "nsid", name: "RTM_NEWNSID" | "RTM_DELNSID", 
/**
 * NETNSA_NSID: the id; -1 when the namespace has none in the asking one.
 */
nsid: number | null, 
/**
 * NETNSA_CURRENT_NSID, in replies to a dump with a target: the asking
 * namespace's own id for the same namespace (-1: it gave none).
 */
currentNsid?: number, } | { "kind": "error" } & ErrorAck | { "kind": "done" } & Done | { "kind": "other", };

/**
 * One decoded message.
 */

export type Message = { 
/**
 * nlmsg_type, e.g. 16 for RTM_NEWLINK.
 */
type: number, 
/**
 * nlmsg_flags as the kernel sent them.
 */
flags: number, seq: number, pid: number, 
/**
 * NLM_F_MULTI: part of a multipart reply; more follows until NLMSG_DONE.
 */
multi: boolean, 
/**
 * NLM_F_DUMP_INTR: the dump was torn by a concurrent change; it must be retried.
 */
dumpIntr: boolean, } & ({ "kind": "link", name: "RTM_NEWLINK" | "RTM_DELLINK", link: Link, } | { "kind": "address", name: "RTM_NEWADDR" | "RTM_DELADDR", address: Address, } | { "kind": "route", name: "RTM_NEWROUTE" | "RTM_DELROUTE", route: Route, } | { "kind": "neighbour", name: "RTM_NEWNEIGH" | "RTM_DELNEIGH", neighbour: Neighbour, } | { "kind": "nsid", name: "RTM_NEWNSID" | "RTM_DELNSID", 
/**
 * NETNSA_NSID: the id; -1 when the namespace has none in the asking one.
 */
nsid: number | null, 
/**
 * NETNSA_CURRENT_NSID, in replies to a dump with a target: the asking
 * namespace's own id for the same namespace (-1: it gave none).
 */
currentNsid?: number, } | { "kind": "error" } & ErrorAck | { "kind": "done" } & Done | { "kind": "other", });

/**
 * What a guarded deletion reads of each link of a namespace: its index, group
 * and alias, decoded alone (decoding and handing over every link whole costs
 * about as much again as receiving the dump).
 */

export type LinkHead = { index: number, 
/**
 * IFLA_GROUP (0 when absent).
 */
group: number, 
/**
 * IFLA_IFALIAS.
 */
alias: string | null, };

/**
 * A link message of `decode_link_heads`, read only as far as its LinkHead.
 */

export type LinkHeadMessage = { kind: "linkHead", name: "RTM_NEWLINK" | "RTM_DELLINK", head: LinkHead, 
/**
 * nlmsg_type, e.g. 16 for RTM_NEWLINK.
 */
type: number, 
/**
 * nlmsg_flags as the kernel sent them.
 */
flags: number, seq: number, pid: number, 
/**
 * NLM_F_MULTI: part of a multipart reply; more follows until NLMSG_DONE.
 */
multi: boolean, 
/**
 * NLM_F_DUMP_INTR: the dump was torn by a concurrent change; it must be retried.
 */
dumpIntr: boolean, };

/**
 * One message of `decode_link_heads`: a link's head, or any other message whole.
 */

export type HeadsMessage = LinkHeadMessage | Message;

/**
 * Link kinds the codec can create. The kernel may lack some (then it answers "Unknown device type").
 */

export type LinkKind = "bridge" | "dummy" | "ifb" | "wireguard" | "gretap" | "macvlan" | "macvtap" | "veth" | "vxlan";

export type GretapOptions = { local?: string, remote?: string, };

export type MacvlanOptions = { 
/**
 * The kernel's default is vepa.
 */
mode?: "private" | "vepa" | "bridge" | "passthru" | "source", };

export type VethOptions = { 
/**
 * The other end.
 */
peer: { name: string, 
/**
 * Create the peer directly in the namespace open as this fd.
 */
nsFd?: number, mac?: string, mtu?: number, 
/**
 * IFLA_GROUP of the peer end (the group of the end the request names is its own).
 */
group?: number, }, };

export type VxlanOptions = { id: number, local?: string, group?: string, remote?: string, port?: number, parentIndex?: number, };

/**
 * RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: creates a link, laid out
 * as iproute2's `ip link add` lays out the same request.
 */

export type NewLinkRequest = { seq: number, pid?: number, name: string, kind: LinkKind, nsFd?: number, mtu?: number, mac?: string, group?: number, masterIndex?: number, 
/**
 * The link it sits on (IFLA_LINK), for the kinds that take one.
 */
parentIndex?: number, 
/**
 * The options of a gretap link (its IFLA_INFO_DATA).
 */
gretap?: GretapOptions, 
/**
 * The options of a macvlan link (its IFLA_INFO_DATA).
 */
macvlan?: MacvlanOptions, 
/**
 * The options of a macvtap link (its IFLA_INFO_DATA).
 */
macvtap?: MacvlanOptions, 
/**
 * The options of a veth link (its IFLA_INFO_DATA).
 */
veth?: VethOptions, 
/**
 * The options of a vxlan link (its IFLA_INFO_DATA).
 */
vxlan?: VxlanOptions, 
/**
 * As `ip link add NAME up ...`: IFF_UP in ifi_flags and ifi_change.
 */
up?: boolean, 
/**
 * Made in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID, last).
 */
targetNsid?: number, };

export type SetLink = { seq: number, pid?: number, index?: number, 
/**
 * The link by name instead (ifi_index 0 and IFLA_IFNAME): the kernel
 * finds it in the socket's namespace, saving a lookup first.
 */
byName?: string, name?: string, alias?: string, mac?: string, mtu?: number, up?: boolean, promisc?: boolean, masterIndex?: number, group?: number, };

/**
 * RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL, or NLM_F_REPLACE) / RTM_DELADDR, as `ip addr add|del ADDR/LEN dev X`.
 */

export type AddrRequest = { seq: number, pid?: number, index: number, address: string, prefixLen: number, broadcast?: string, replace?: boolean, };

/**
 * RTM_NEWROUTE (create, or replace) / RTM_DELROUTE, as `ip route add|replace|del ...`.
 */

export type RouteRequest = { seq: number, pid?: number, family: number, dst?: string, dstLen?: number, gateway?: string, oifIndex?: number, metric?: number, table?: number, replace?: boolean, };

/**
 * A request encodeRequests can encode.
 */

export type Request = { "type": "getLinkDump", seq: number, pid?: number, extMask?: number, 
/**
 * Read the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
 */
targetNsid?: number, } | { "type": "setLinkNs", seq: number, pid?: number, index: number, nsFd: number, } | { "type": "newLink" } & NewLinkRequest | { "type": "setLink" } & SetLink | { "type": "delLink", seq: number, pid?: number, index?: number, group?: number, 
/**
 * The link is in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
 */
targetNsid?: number, } | { "type": "getLink", seq: number, pid?: number, index?: number, name?: string, extMask?: number, 
/**
 * Look in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
 */
targetNsid?: number, } | { "type": "newAddr" } & AddrRequest | { "type": "delAddr" } & AddrRequest | { "type": "getAddrDump", seq: number, pid?: number, family?: number, 
/**
 * Read the namespace the asking one knows by this nsid (IFA_TARGET_NETNSID).
 */
targetNsid?: number, } | { "type": "newRoute" } & RouteRequest | { "type": "delRoute" } & RouteRequest | { "type": "getRouteDump", seq: number, pid?: number, family?: number, table?: number, 
/**
 * Only routes of this origin (rtm_protocol, e.g. 3 RTPROT_BOOT): the kernel filters on a
 * socket with NETLINK_GET_STRICT_CHK set, and ignores the field otherwise.
 */
protocol?: number, } | { "type": "getNeighDump", seq: number, pid?: number, } | { "type": "newNsid", seq: number, pid?: number, nsFd: number, nsid?: number, } | { "type": "getNsid", seq: number, pid?: number, nsFd: number, } | { "type": "getNsidDump", seq: number, pid?: number, targetNsid: number, };

/**
 * An rtattr: `type` keeps the NLA_F_NESTED bit; exactly one of `data` (hex) and nested `attrs` is set.
 */

export type RawAttr = { type: number, data?: string | null, attrs?: Array<RawAttr> | null, };

/**
 * A generic netlink message: header, fixed family header (hex), and its attribute tree.
 */

export type RawMessage = { type: number, flags: number, seq: number, pid: number, fixed: string, attrs: Array<RawAttr>, };

/**
 * The table as TypeScript reads it (generated/limits.js).
 */

export type Limits = { ifnameMaxBytes: number, aliasMaxBytes: number, indexMin: number, indexMax: number, mtuMin: number, mtuMax: number, vxlanIdMax: number, portMin: number, portMax: number, tableMin: number, 
/**
 * The address family gretap endpoints must have.
 */
gretapFamily: number, };
