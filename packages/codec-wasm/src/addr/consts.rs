//! The address family's numbers, from <linux/rtnetlink.h> and <linux/if_addr.h>.

pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const ADDR_TYPES: std::ops::RangeInclusive<u16> = RTM_NEWADDR..=RTM_GETADDR;
/// sizeof(struct ifaddrmsg): family, prefixlen, flags, scope (u8 each), index u32.
pub const IFADDRMSG: usize = 8;
pub const RT_SCOPE_HOST: u8 = 254;

pub const IFA_ADDRESS: u16 = 1;
pub const IFA_LOCAL: u16 = 2;
pub const IFA_LABEL: u16 = 3;
pub const IFA_BROADCAST: u16 = 4;
/// u32 flags: IFA_F_* above bit 7 do not fit in ifa_flags.
pub const IFA_FLAGS: u16 = 8;
/// s32: in a dump request, the nsid of the namespace to read instead of the asking one.
pub const IFA_TARGET_NETNSID: u16 = 10;
