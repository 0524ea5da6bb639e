//! The route family's numbers, from <linux/rtnetlink.h>.

pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;
pub const RTM_GETROUTE: u16 = 26;
pub const ROUTE_TYPES: std::ops::RangeInclusive<u16> = RTM_NEWROUTE..=RTM_GETROUTE;
/// sizeof(struct rtmsg): family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32.
pub const RTMSG: usize = 12;
pub const RT_TABLE_MAIN: u32 = 254;
/// rtm_table is a u8: larger ids go in RTA_TABLE, with rtm_table RT_TABLE_UNSPEC.
pub const MAX_U8_TABLE: u32 = 255;
pub const RTPROT_BOOT: u8 = 3;
pub const RTN_UNICAST: u8 = 1;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_NOWHERE: u8 = 255;

pub const RTA_DST: u16 = 1;
pub const RTA_OIF: u16 = 4;
pub const RTA_GATEWAY: u16 = 5;
pub const RTA_PRIORITY: u16 = 6;
pub const RTA_METRICS: u16 = 8;
pub const RTA_TABLE: u16 = 15;
