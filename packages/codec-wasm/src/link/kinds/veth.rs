//! veth: IFLA_INFO_DATA holds VETH_INFO_PEER, the peer end as a whole link
//! request of its own (ifinfomsg + attributes), as iproute2's iplink_veth.c writes it.

use serde::Deserialize;

use super::{KindSpec, Need};
use crate::encode::{nest, Result};
use crate::link::attrs::{ifinfomsg, LinkAttrs};
use crate::link::consts::IFLA_INFO_DATA;

const VETH_INFO_PEER: u16 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename = "VethOptions")
)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The other end.
    #[cfg_attr(test, ts(inline))]
    pub peer: Peer,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peer {
    pub name: String,
    /// Create the peer directly in the namespace open as this fd.
    pub ns_fd: Option<u32>,
    pub mac: Option<String>,
    pub mtu: Option<u32>,
    /// IFLA_GROUP of the peer end (the group of the end the request names is its own).
    pub group: Option<u32>,
}

pub const SPEC: KindSpec = KindSpec {
    name: "veth",
    // A nest of attributes; its VETH_INFO_PEER starts with a struct ifinfomsg, so the raw view keeps that one hex.
    plain_info_data: true,
    parent: Need::No,
    options_required: true,
};

pub fn put_info_data(buf: &mut Vec<u8>, o: &Options) -> Result<()> {
    let peer = &o.peer;
    nest(buf, IFLA_INFO_DATA, |buf| {
        nest(buf, VETH_INFO_PEER, |buf| {
            buf.extend_from_slice(&ifinfomsg(0, 0, 0, 0));
            LinkAttrs {
                mtu: peer.mtu,
                mac: peer.mac.as_deref(),
                group: peer.group,
                ns_fd: peer.ns_fd,
                name: Some(&peer.name),
                ..LinkAttrs::default()
            }
            .put(buf, "veth.peer.")
        })
    })
}
