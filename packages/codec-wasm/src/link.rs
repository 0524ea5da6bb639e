//! Link messages: struct ifinfomsg followed by IFLA_* attributes.

use serde::Serialize;

use crate::attr::{self, find, Attr};
use crate::fault::DecodeError;
use crate::message::{self, Frame, Header, NLM_F_REQUEST};
use crate::wire::{read_i32, read_u32, to_hex};

pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
/// RTM_SETLINK is the last message type of the link family.
pub const LINK_TYPES: std::ops::RangeInclusive<u16> = RTM_NEWLINK..=19;
/// sizeof(struct ifinfomsg): family u8, pad u8, type u16, index i32, flags u32, change u32.
pub const IFINFOMSG: usize = 16;
const NLM_F_DUMP: u16 = 0x300;
const NLM_F_ACK: u16 = 0x4;
/// iproute2 dumps links with ifi_family = AF_PACKET, not AF_UNSPEC.
const AF_PACKET: u8 = 17;
const IFF_UP: u32 = 0x1;

const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINK: u16 = 5;
const IFLA_MASTER: u16 = 10;
const IFLA_OPERSTATE: u16 = 16;
pub const IFLA_LINKINFO: u16 = 18;
const IFLA_IFALIAS: u16 = 20;
pub const IFLA_AF_SPEC: u16 = 26;
const IFLA_GROUP: u16 = 27;
const IFLA_NET_NS_FD: u16 = 28;
const IFLA_EXT_MASK: u16 = 29;
const IFLA_LINK_NETNSID: u16 = 37;
pub const IFLA_INFO_KIND: u16 = 1;

/// IF_OPER_* in kernel order, spelled as iproute2 prints them (lower case).
const OPERSTATES: [&str; 7] = [
    "unknown",
    "notpresent",
    "down",
    "lowerlayerdown",
    "testing",
    "dormant",
    "up",
];

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    index: i32,
    name: String,
    flags: u32,
    up: bool,
    mtu: Option<u32>,
    mac: Option<String>,
    operstate: Option<&'static str>,
    kind: Option<String>,
    master_index: Option<u32>,
    alias: Option<String>,
    group: u32,
    link_netnsid: Option<i32>,
    parent_index: Option<u32>,
}

/// The ifinfomsg of a link message and the attributes after it.
fn split<'a>(frame: &Frame<'a>) -> Result<(&'a [u8], Vec<Attr<'a>>), DecodeError> {
    if frame.payload.len() < IFINFOMSG {
        return Err(DecodeError::new(
            frame.payload_offset(),
            format!(
                "link message payload is {} bytes, shorter than the 16-byte ifinfomsg",
                frame.payload.len()
            ),
        ));
    }
    let (fixed, rest) = frame.payload.split_at(IFINFOMSG);
    Ok((
        fixed,
        attr::parse(rest, frame.payload_offset() + IFINFOMSG)?,
    ))
}

fn optional<'a, T>(
    attrs: &[Attr<'a>],
    id: u16,
    read: impl Fn(&Attr<'a>) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    find(attrs, id).map(read).transpose()
}

/// IFLA_INFO_KIND inside IFLA_LINKINFO, if both are there.
pub fn info_kind(attrs: &[Attr]) -> Result<Option<String>, DecodeError> {
    let Some(linkinfo) = find(attrs, IFLA_LINKINFO) else {
        return Ok(None);
    };
    Ok(find(&linkinfo.nested()?, IFLA_INFO_KIND).map(Attr::string))
}

pub fn decode_link(frame: &Frame) -> Result<Link, DecodeError> {
    let (fixed, attrs) = split(frame)?;
    let flags = read_u32(fixed, 8).unwrap_or_default();
    // A request that names its link by index (e.g. `ip link set dev lo up`) carries no IFLA_IFNAME.
    let name = find(&attrs, IFLA_IFNAME)
        .map(Attr::string)
        .unwrap_or_default();
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
                .unwrap_or("unknown"))
        })?,
        kind: info_kind(&attrs)?,
        master_index: optional(&attrs, IFLA_MASTER, Attr::u32)?,
        alias: find(&attrs, IFLA_IFALIAS).map(Attr::string),
        group: optional(&attrs, IFLA_GROUP, Attr::u32)?.unwrap_or(0),
        link_netnsid: optional(&attrs, IFLA_LINK_NETNSID, |a| a.u32().map(|v| v as i32))?,
        parent_index: optional(&attrs, IFLA_LINK, Attr::u32)?,
    })
}

/// RTM_GETLINK dump, byte for byte as iproute2's `ip link show` sends it.
pub fn push_get_link_dump(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    ext_mask: Option<u32>,
) -> Result<(), String> {
    let start = message::begin(
        buf,
        Header {
            kind: RTM_GETLINK,
            flags: NLM_F_REQUEST | NLM_F_DUMP,
            seq,
            pid,
        },
    );
    let mut ifinfomsg = [0; IFINFOMSG];
    ifinfomsg[0] = AF_PACKET;
    buf.extend_from_slice(&ifinfomsg);
    if let Some(mask) = ext_mask {
        attr::push(buf, IFLA_EXT_MASK, &mask.to_le_bytes())?;
    }
    message::end(buf, start)
}

/// RTM_NEWLINK moving link `index` into the namespace open as `ns_fd`, as
/// `ip link set dev X netns NAME` sends it. Index 0 is refused: the kernel
/// would resolve the link by name in whatever namespace the socket is in.
pub fn push_set_link_ns(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    index: u32,
    ns_fd: u32,
) -> Result<(), String> {
    if index == 0 || index > i32::MAX as u32 {
        return Err(format!("index {index} is not a valid interface index"));
    }
    let start = message::begin(
        buf,
        Header {
            kind: RTM_NEWLINK,
            flags: NLM_F_REQUEST | NLM_F_ACK,
            seq,
            pid,
        },
    );
    let mut ifinfomsg = [0; IFINFOMSG];
    ifinfomsg[4..8].copy_from_slice(&index.to_le_bytes());
    buf.extend_from_slice(&ifinfomsg);
    attr::push(buf, IFLA_NET_NS_FD, &ns_fd.to_le_bytes())?;
    message::end(buf, start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::frames;

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

    #[test]
    fn get_link_dump_without_ext_mask_is_header_and_ifinfomsg() {
        let mut buf = Vec::new();
        push_get_link_dump(&mut buf, 5, 0, None).unwrap();
        assert_eq!(buf.len(), 32);
        assert_eq!(&buf[..8], [32, 0, 0, 0, 18, 0, 1, 3]);
    }

    #[test]
    fn moving_index_zero_is_refused() {
        let mut buf = Vec::new();
        assert!(push_set_link_ns(&mut buf, 1, 0, 0, 3).is_err());
        assert!(push_set_link_ns(&mut buf, 1, 0, u32::MAX, 3).is_err());
    }
}
