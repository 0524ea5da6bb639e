//! Every numeric and length limit a request field is held to: the one table
//! both the encoders here and core's validators (through the generated
//! `@neslink/codec-wasm/limits`) read, so the two cannot disagree.

use serde::Serialize;

/// IFNAMSIZ less the NUL.
pub const IFNAME_MAX_BYTES: usize = 15;
/// IFALIASZ less the NUL: the kernel's IFLA_IFALIAS policy.
pub const ALIAS_MAX_BYTES: usize = 255;
/// ifi_index is an int; 0 would make the kernel resolve by name.
pub const INDEX_MIN: u32 = 1;
pub const INDEX_MAX: u32 = i32::MAX as u32;
/// ETH_MIN_MTU (IPv4's minimum); each device's maximum is the kernel's to enforce.
pub const MTU_MIN: u32 = 68;
pub const MTU_MAX: u32 = i32::MAX as u32;
/// A VXLAN network identifier is 24 bits.
pub const VXLAN_ID_MAX: u32 = 0xff_ffff;
/// UDP port 0 would mean "the kernel's default", which is not what was asked for.
pub const PORT_MIN: u32 = 1;
pub const PORT_MAX: u32 = u16::MAX as u32;
/// Routing table 0 is RT_TABLE_UNSPEC, not a table.
pub const TABLE_MIN: u32 = 1;

/// AF_INET: gretap is IPv4 over IPv4 (ip6gretap is another kind).
pub const GRETAP_FAMILY: u8 = crate::ip::AF_INET;

/// The table as TypeScript reads it (generated/limits.js).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub ifname_max_bytes: usize,
    pub alias_max_bytes: usize,
    pub index_min: u32,
    pub index_max: u32,
    pub mtu_min: u32,
    pub mtu_max: u32,
    pub vxlan_id_max: u32,
    pub port_min: u32,
    pub port_max: u32,
    pub table_min: u32,
    /// The address family gretap endpoints must have.
    pub gretap_family: u8,
}

pub const LIMITS: Limits = Limits {
    ifname_max_bytes: IFNAME_MAX_BYTES,
    alias_max_bytes: ALIAS_MAX_BYTES,
    index_min: INDEX_MIN,
    index_max: INDEX_MAX,
    mtu_min: MTU_MIN,
    mtu_max: MTU_MAX,
    vxlan_id_max: VXLAN_ID_MAX,
    port_min: PORT_MIN,
    port_max: PORT_MAX,
    table_min: TABLE_MIN,
    gretap_family: GRETAP_FAMILY,
};
