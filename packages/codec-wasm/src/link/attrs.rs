//! What a link and a veth peer share: struct ifinfomsg and the IFLA_*
//! attributes of `ip link add|set`.

use super::consts::{
    IFINFOMSG, IFLA_ADDRESS, IFLA_GROUP, IFLA_IFALIAS, IFLA_IFNAME, IFLA_LINK, IFLA_MASTER,
    IFLA_MTU, IFLA_NET_NS_FD,
};
use crate::encode::{alias, ifname, mac, mtu, optional, put, put_cstr, put_u32, Result};

/// The IFLA_* attributes `ip link add|set` writes for its options, in
/// iproute2's order: the ones its argument loop adds as it meets them (here in
/// the order `mtu address group master alias netns`), then IFLA_LINK and
/// IFLA_IFNAME, which it adds after the loop.
#[derive(Default)]
pub struct LinkAttrs<'a> {
    pub mtu: Option<u32>,
    pub mac: Option<&'a str>,
    pub group: Option<u32>,
    /// 0 is allowed: it detaches ("nomaster").
    pub master: Option<u32>,
    pub alias: Option<&'a str>,
    pub ns_fd: Option<u32>,
    pub link: Option<u32>,
    pub name: Option<&'a str>,
}

impl LinkAttrs<'_> {
    /// Field errors are reported under `prefix` (e.g. "peer.").
    pub fn put(&self, buf: &mut Vec<u8>, prefix: &str) -> Result<()> {
        let path = |field: &str| format!("{prefix}{field}");
        optional(self.mtu, |value| {
            put_u32(buf, IFLA_MTU, mtu(&path("mtu"), value)?)
        })?;
        optional(self.mac, |text| {
            put(buf, IFLA_ADDRESS, &mac(&path("mac"), text)?)
        })?;
        optional(self.group, |group| put_u32(buf, IFLA_GROUP, group))?;
        optional(self.master, |master| put_u32(buf, IFLA_MASTER, master))?;
        optional(self.alias, |text| {
            // iproute2 sends the alias without its NUL.
            put(buf, IFLA_IFALIAS, alias(&path("alias"), text)?.as_bytes())
        })?;
        optional(self.ns_fd, |fd| put_u32(buf, IFLA_NET_NS_FD, fd))?;
        optional(self.link, |link| put_u32(buf, IFLA_LINK, link))?;
        optional(self.name, |name| {
            put_cstr(buf, IFLA_IFNAME, ifname(&path("name"), name)?)
        })
    }
}

pub fn ifinfomsg(family: u8, index: u32, flags: u32, change: u32) -> [u8; IFINFOMSG] {
    let mut fixed = [0; IFINFOMSG];
    fixed[0] = family;
    fixed[4..8].copy_from_slice(&index.to_le_bytes());
    fixed[8..12].copy_from_slice(&flags.to_le_bytes());
    fixed[12..16].copy_from_slice(&change.to_le_bytes());
    fixed
}
