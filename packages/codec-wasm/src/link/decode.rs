//! Decoding link messages: struct ifinfomsg followed by IFLA_* attributes.

use serde::Serialize;

use super::consts::{
    IFF_UP, IFINFOMSG, IFLA_ADDRESS, IFLA_GROUP, IFLA_IFALIAS, IFLA_IFNAME, IFLA_INFO_DATA,
    IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MTU,
    IFLA_OPERSTATE,
};
use super::kinds::{decode_macvlan, decode_vxlan, MacvlanOptions, VxlanOptions};
use crate::attr::{find, read_optional as optional, Attr};
use crate::fault::DecodeError;
use crate::message::{fixed_and_attrs, Frame};
use crate::wire::{read_i32, read_u32, to_hex};

/// IF_OPER_* in kernel order, spelled as iproute2 prints them (lower case).
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OperState {
    Unknown,
    Notpresent,
    Down,
    Lowerlayerdown,
    Testing,
    Dormant,
    Up,
}

const OPERSTATES: [OperState; 7] = [
    OperState::Unknown,
    OperState::Notpresent,
    OperState::Down,
    OperState::Lowerlayerdown,
    OperState::Testing,
    OperState::Dormant,
    OperState::Up,
];

/// A link as RTM_NEWLINK / RTM_DELLINK describes it. Absent attributes are null.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Link {
    index: i32,
    name: String,
    /// ifi_flags (IFF_*).
    flags: u32,
    /// IFF_UP is set (administratively up).
    up: bool,
    mtu: Option<u32>,
    /// IFLA_ADDRESS as lower-case colon hex, e.g. "02:00:00:00:00:01".
    mac: Option<String>,
    operstate: Option<OperState>,
    /// IFLA_INFO_KIND inside IFLA_LINKINFO, e.g. "bridge", "veth". Null for lo and physical links.
    kind: Option<String>,
    /// IFLA_MASTER: index of the bridge (or other master) this link is attached to.
    master_index: Option<u32>,
    /// IFLA_IFALIAS.
    alias: Option<String>,
    /// IFLA_GROUP (0 when absent).
    group: u32,
    /// IFLA_LINK_NETNSID: the namespace (as seen from this one) that the peer or parent lives in.
    link_netnsid: Option<i32>,
    /// IFLA_LINK: the peer's (veth) or parent's (macvlan) index. A vxlan's parent is its `vxlan.parentIndex`.
    parent_index: Option<u32>,
    /// A vxlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    vxlan: Option<VxlanOptions>,
    /// A macvlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    macvlan: Option<MacvlanOptions>,
    /// A macvtap's IFLA_INFO_DATA (macvlan's attributes), as the newLink options that would make it; absent for another kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    macvtap: Option<MacvlanOptions>,
}

/// What a guarded deletion reads of each link of a namespace: its index, group
/// and alias, decoded alone (decoding and handing over every link whole costs
/// about as much again as receiving the dump).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LinkHead {
    index: i32,
    /// IFLA_GROUP (0 when absent).
    group: u32,
    /// IFLA_IFALIAS.
    alias: Option<String>,
}

pub fn decode_link_head(frame: &Frame) -> Result<LinkHead, DecodeError> {
    let (fixed, attrs) = fixed_and_attrs(frame, IFINFOMSG, "link")?;
    Ok(LinkHead {
        index: read_i32(fixed, 4).unwrap_or_default(),
        group: optional(&attrs, IFLA_GROUP, Attr::u32)?.unwrap_or(0),
        alias: find(&attrs, IFLA_IFALIAS).map(Attr::string),
    })
}

/// What IFLA_LINKINFO says: its IFLA_INFO_KIND, and a vxlan's, macvlan's or macvtap's IFLA_INFO_DATA decoded.
#[derive(Default)]
struct Info {
    kind: Option<String>,
    vxlan: Option<VxlanOptions>,
    macvlan: Option<MacvlanOptions>,
    macvtap: Option<MacvlanOptions>,
}

fn link_info(attrs: &[Attr]) -> Result<Info, DecodeError> {
    let Some(linkinfo) = find(attrs, IFLA_LINKINFO) else {
        return Ok(Info::default());
    };
    let nested = linkinfo.nested()?;
    let kind = find(&nested, IFLA_INFO_KIND).map(Attr::string);
    // Another kind's data is not read at all: a dump of veths costs what it cost before.
    let data = || match find(&nested, IFLA_INFO_DATA) {
        Some(data) => data.nested(),
        None => Ok(Vec::new()),
    };
    let (vxlan, macvlan, macvtap) = match kind.as_deref() {
        Some("vxlan") => (decode_vxlan(&data()?)?, None, None),
        Some("macvlan") => (None, Some(decode_macvlan(&data()?)?), None),
        // The kernel's macvtap driver is macvlan's, with its IFLA_MACVLAN_* attributes.
        Some("macvtap") => (None, None, Some(decode_macvlan(&data()?)?)),
        _ => (None, None, None),
    };
    Ok(Info {
        kind,
        vxlan,
        macvlan,
        macvtap,
    })
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_link(frame: &Frame) -> Result<Link, DecodeError> {
    let (fixed, attrs) = fixed_and_attrs(frame, IFINFOMSG, "link")?;
    let flags = read_u32(fixed, 8).unwrap_or_default();
    // A request that names its link by index (e.g. `ip link set dev lo up`) carries no IFLA_IFNAME.
    let name = find(&attrs, IFLA_IFNAME)
        .map(Attr::string)
        .unwrap_or_default();
    let info = link_info(&attrs)?;
    Ok(Link {
        index: read_i32(fixed, 4).unwrap_or_default(),
        name,
        flags,
        up: flags & IFF_UP != 0,
        mtu: optional(&attrs, IFLA_MTU, Attr::u32)?,
        mac: find(&attrs, IFLA_ADDRESS).map(|a| to_hex(a.payload, ":")),
        // The kernel defines no state past IF_OPER_UP; a newer one is reported as unknown rather than failing the dump.
        operstate: optional(&attrs, IFLA_OPERSTATE, |a| {
            Ok(OPERSTATES
                .get(usize::from(a.u8()?))
                .copied()
                .unwrap_or(OperState::Unknown))
        })?,
        kind: info.kind,
        master_index: optional(&attrs, IFLA_MASTER, Attr::u32)?,
        alias: find(&attrs, IFLA_IFALIAS).map(Attr::string),
        group: optional(&attrs, IFLA_GROUP, Attr::u32)?.unwrap_or(0),
        link_netnsid: optional(&attrs, IFLA_LINK_NETNSID, |a| a.u32().map(|v| v as i32))?,
        parent_index: optional(&attrs, IFLA_LINK, Attr::u32)?,
        vxlan: info.vxlan,
        macvlan: info.macvlan,
        macvtap: info.macvtap,
    })
}

#[cfg(test)]
mod tests {
    use super::super::consts::RTM_NEWLINK;
    use super::*;
    use crate::message::{self, frames, Header};

    #[test]
    fn short_ifinfomsg_is_an_error() {
        let mut buf = Vec::new();
        let start = message::begin(
            &mut buf,
            Header {
                kind: RTM_NEWLINK,
                flags: 0,
                seq: 0,
                pid: 0,
            },
        );
        buf.extend_from_slice(&[0; 8]);
        message::end(&mut buf, start).unwrap();
        let err = decode_link(&frames(&buf).unwrap()[0]).unwrap_err();
        assert_eq!(err.offset, 16);
    }
}
