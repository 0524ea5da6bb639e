//! The link family's numbers, from <linux/rtnetlink.h>, <linux/if.h> and
//! <linux/if_link.h>: message types, the family header, IFF_* flags and the
//! IFLA_* attributes. A kind's own IFLA_INFO_DATA attributes (IFLA_VXLAN_*,
//! ...) live in that kind's file, since only it writes them.

pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
/// RTM_SETLINK is the last message type of the link family.
const RTM_SETLINK: u16 = 19;
pub const LINK_TYPES: std::ops::RangeInclusive<u16> = RTM_NEWLINK..=RTM_SETLINK;

/// sizeof(struct ifinfomsg): family u8, pad u8, type u16, index i32, flags u32, change u32.
pub const IFINFOMSG: usize = 16;
/// iproute2 dumps links with ifi_family = AF_PACKET, not AF_UNSPEC.
pub const AF_PACKET: u8 = 17;

pub const IFF_UP: u32 = 0x1;
pub const IFF_PROMISC: u32 = 0x100;

pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_LINK: u16 = 5;
pub const IFLA_MASTER: u16 = 10;
pub const IFLA_OPERSTATE: u16 = 16;
pub const IFLA_LINKINFO: u16 = 18;
pub const IFLA_IFALIAS: u16 = 20;
pub const IFLA_VFINFO_LIST: u16 = 22;
pub const IFLA_VF_PORTS: u16 = 24;
pub const IFLA_PORT_SELF: u16 = 25;
pub const IFLA_AF_SPEC: u16 = 26;
pub const IFLA_GROUP: u16 = 27;
pub const IFLA_NET_NS_FD: u16 = 28;
pub const IFLA_EXT_MASK: u16 = 29;
pub const IFLA_LINK_NETNSID: u16 = 37;
pub const IFLA_XDP: u16 = 43;
pub const IFLA_PROP_LIST: u16 = 52;
/// s32: in a request, the nsid (as the asking namespace knows it) of the namespace to read instead of its own.
pub const IFLA_TARGET_NETNSID: u16 = 46;

/// Inside IFLA_LINKINFO.
pub const IFLA_INFO_KIND: u16 = 1;
pub const IFLA_INFO_DATA: u16 = 2;
pub const IFLA_INFO_SLAVE_KIND: u16 = 4;
pub const IFLA_INFO_SLAVE_DATA: u16 = 5;
