//! Link requests (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK), laid out byte for
//! byte as iproute2 6.1 lays out the same `ip link` command (see the
//! fixtures/link/*-request vectors).

use serde::Deserialize;

use crate::encode::{
    ifname, index, mac, message, nest, optional, put, put_cstr, put_u32, Head, Result, NLM_F_ACK,
    NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL,
};
use crate::fault::EncodeError;
use crate::link::{
    IFINFOMSG, IFLA_ADDRESS, IFLA_GROUP, IFLA_IFALIAS, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINK,
    IFLA_LINKINFO, IFLA_MASTER, IFLA_MTU, RTM_DELLINK, RTM_NEWLINK,
};
use crate::link_kinds::{put_info_data, Gre, LinkKind, MacvlanMode, Vxlan};

pub const RTM_GETLINK: u16 = 18;
/// iproute2 dumps links with ifi_family = AF_PACKET, not AF_UNSPEC.
const AF_PACKET: u8 = 17;
const IFF_UP: u32 = 0x1;
const IFF_PROMISC: u32 = 0x100;
/// IFALIASZ less the NUL.
const MAX_ALIAS: usize = 255;

const IFLA_NET_NS_FD: u16 = 28;
const IFLA_EXT_MASK: u16 = 29;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Peer {
    pub name: String,
    pub ns_fd: Option<u32>,
    pub mac: Option<String>,
    pub mtu: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLink {
    pub seq: u32,
    #[serde(default)]
    pub pid: u32,
    pub name: String,
    pub kind: LinkKind,
    pub ns_fd: Option<u32>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    pub group: Option<u32>,
    pub master_index: Option<u32>,
    pub parent_index: Option<u32>,
    pub peer: Option<Peer>,
    pub vxlan: Option<Vxlan>,
    pub gre: Option<Gre>,
    pub macvlan_mode: Option<MacvlanMode>,
    /// As `ip link add NAME up ...`: IFF_UP in ifi_flags and ifi_change.
    #[serde(default)]
    pub up: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetLink {
    pub seq: u32,
    #[serde(default)]
    pub pid: u32,
    pub index: Option<u32>,
    /// The link by name instead (ifi_index 0 and IFLA_IFNAME): the kernel
    /// finds it in the socket's namespace, saving a lookup first.
    pub by_name: Option<String>,
    pub name: Option<String>,
    pub alias: Option<String>,
    pub mac: Option<String>,
    pub mtu: Option<u32>,
    pub up: Option<bool>,
    pub promisc: Option<bool>,
    pub master_index: Option<u32>,
    pub group: Option<u32>,
}

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
        optional(self.mtu, |mtu| put_u32(buf, IFLA_MTU, mtu))?;
        optional(self.mac, |text| {
            put(buf, IFLA_ADDRESS, &mac(&path("mac"), text)?)
        })?;
        optional(self.group, |group| put_u32(buf, IFLA_GROUP, group))?;
        optional(self.master, |master| put_u32(buf, IFLA_MASTER, master))?;
        optional(self.alias, |text| {
            if text.len() > MAX_ALIAS || text.contains('\0') {
                return Err(EncodeError::new(
                    path("alias"),
                    format!("must be at most {MAX_ALIAS} bytes, without NUL"),
                ));
            }
            // iproute2 sends the alias without its NUL.
            put(buf, IFLA_IFALIAS, text.as_bytes())
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

/// As `ip link add NAME [up] [mtu N] [address M] [group G] [master B] [netns NS] [link P] type KIND ...`.
pub fn push_new_link(buf: &mut Vec<u8>, r: &NewLink) -> Result<()> {
    r.kind.check_options(r)?;
    let master = r
        .master_index
        .map(|i| index("masterIndex", i))
        .transpose()?;
    let link = r
        .parent_index
        .map(|i| index("parentIndex", i))
        .transpose()?;
    let attrs = LinkAttrs {
        mtu: r.mtu,
        mac: r.mac.as_deref(),
        group: r.group,
        master,
        ns_fd: r.ns_fd,
        link,
        name: Some(&r.name),
        ..LinkAttrs::default()
    };
    message(
        buf,
        Head {
            kind: RTM_NEWLINK,
            seq: r.seq,
            pid: r.pid,
        },
        NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
        &{
            let up = if r.up { IFF_UP } else { 0 };
            ifinfomsg(0, 0, up, up)
        },
        |buf| {
            attrs.put(buf, "")?;
            nest(buf, IFLA_LINKINFO, |buf| {
                // iproute2 writes the kind without its NUL; the kernel accepts both.
                put(buf, IFLA_INFO_KIND, r.kind.as_str().as_bytes())?;
                put_info_data(buf, r)
            })
        },
    )
}

/// The peer of a veth: its own ifinfomsg, then the same attributes as a link.
pub fn put_peer(buf: &mut Vec<u8>, peer: &Peer) -> Result<()> {
    buf.extend_from_slice(&ifinfomsg(0, 0, 0, 0));
    LinkAttrs {
        mtu: peer.mtu,
        mac: peer.mac.as_deref(),
        ns_fd: peer.ns_fd,
        name: Some(&peer.name),
        ..LinkAttrs::default()
    }
    .put(buf, "peer.")
}

/// ifi_flags and ifi_change for the IFF_* bits `bit` asks to set (true) or clear (false).
fn flag(bit: u32, wanted: Option<bool>) -> (u32, u32) {
    match wanted {
        Some(true) => (bit, bit),
        Some(false) => (0, bit),
        None => (0, 0),
    }
}

/// The link a set request acts on: ifi_index, and the IFLA_IFNAME to send
/// (the new name, or with index 0 the link's own name).
fn set_target(r: &SetLink) -> Result<(u32, Option<&str>)> {
    match (r.index, r.by_name.as_deref()) {
        (Some(i), None) => Ok((index("index", i)?, r.name.as_deref())),
        (None, Some(_)) if r.name.is_some() => Err(EncodeError::new(
            "name",
            "a link found by name (byName) cannot be renamed in the same request",
        )),
        (None, Some(by)) => Ok((0, Some(ifname("byName", by)?))),
        (Some(_), Some(_)) => Err(EncodeError::new("byName", "give index or byName, not both")),
        (None, None) => Err(EncodeError::new("index", "index or byName is required")),
    }
}

/// As `ip link set dev X [up|down] [promisc on|off] [mtu N] [address M] [group G] [master B|nomaster] [alias A] [name N]`.
pub fn push_set_link(buf: &mut Vec<u8>, r: &SetLink) -> Result<()> {
    let (target, name) = set_target(r)?;
    let (up, up_change) = flag(IFF_UP, r.up);
    let (promisc, promisc_change) = flag(IFF_PROMISC, r.promisc);
    let master = match r.master_index {
        Some(0) => Some(0),
        other => other.map(|i| index("masterIndex", i)).transpose()?,
    };
    let attrs = LinkAttrs {
        mtu: r.mtu,
        mac: r.mac.as_deref(),
        group: r.group,
        master,
        alias: r.alias.as_deref(),
        name,
        ..LinkAttrs::default()
    };
    message(
        buf,
        Head {
            kind: RTM_NEWLINK,
            seq: r.seq,
            pid: r.pid,
        },
        NLM_F_ACK,
        &ifinfomsg(0, target, up | promisc, up_change | promisc_change),
        |buf| attrs.put(buf, ""),
    )
}

/// `ip link del dev X` (by index) or `ip link del group N` (index 0 and IFLA_GROUP).
pub fn push_del_link(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    target: Option<u32>,
    group: Option<u32>,
) -> Result<()> {
    let target = match (target, group) {
        (Some(i), None) => index("index", i)?,
        (None | Some(0), Some(_)) => 0,
        (Some(_), Some(_)) => {
            return Err(EncodeError::new(
                "group",
                "give index (one link) or group (all its links), not both",
            ))
        }
        (None, None) => {
            return Err(EncodeError::new(
                "index",
                "required (or group, to delete a whole group)",
            ))
        }
    };
    message(
        buf,
        Head {
            kind: RTM_DELLINK,
            seq,
            pid,
        },
        NLM_F_ACK,
        &ifinfomsg(0, target, 0, 0),
        |buf| optional(group, |g| put_u32(buf, IFLA_GROUP, g)),
    )
}

/// One link, as iproute2 looks one up (its ll_link_get): by index, or by IFLA_IFNAME with index 0.
pub fn push_get_link(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    target: Option<u32>,
    name: Option<&str>,
    ext_mask: Option<u32>,
) -> Result<()> {
    let target = match (target, name) {
        (Some(i), _) => index("index", i)?,
        (None, Some(_)) => 0,
        (None, None) => return Err(EncodeError::new("index", "required (or name)")),
    };
    message(
        buf,
        Head {
            kind: RTM_GETLINK,
            seq,
            pid,
        },
        0,
        &ifinfomsg(0, target, 0, 0),
        |buf| {
            optional(ext_mask, |mask| put_u32(buf, IFLA_EXT_MASK, mask))?;
            optional(name, |name| {
                put_cstr(buf, IFLA_IFNAME, ifname("name", name)?)
            })
        },
    )
}

/// RTM_GETLINK dump, byte for byte as iproute2's `ip link show` sends it.
pub fn push_get_link_dump(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    ext_mask: Option<u32>,
) -> Result<()> {
    message(
        buf,
        Head {
            kind: RTM_GETLINK,
            seq,
            pid,
        },
        NLM_F_DUMP,
        &ifinfomsg(AF_PACKET, 0, 0, 0),
        |buf| optional(ext_mask, |mask| put_u32(buf, IFLA_EXT_MASK, mask)),
    )
}

/// RTM_NEWLINK moving link `index` into the namespace open as `ns_fd`, as
/// `ip link set dev X netns NAME` sends it.
pub fn push_set_link_ns(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    target: u32,
    ns_fd: u32,
) -> Result<()> {
    let target = index("index", target)?;
    message(
        buf,
        Head {
            kind: RTM_NEWLINK,
            seq,
            pid,
        },
        NLM_F_ACK,
        &ifinfomsg(0, target, 0, 0),
        |buf| put_u32(buf, IFLA_NET_NS_FD, ns_fd),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_link_dump_without_ext_mask_is_header_and_ifinfomsg() {
        let mut buf = Vec::new();
        push_get_link_dump(&mut buf, 5, 0, None).unwrap();
        assert_eq!(buf.len(), 32);
        assert_eq!(&buf[..8], [32, 0, 0, 0, 18, 0, 1, 3]);
    }

    fn set_link(index: Option<u32>, by_name: Option<&str>, name: Option<&str>) -> SetLink {
        SetLink {
            seq: 7,
            pid: 0,
            index,
            by_name: by_name.map(String::from),
            name: name.map(String::from),
            alias: None,
            mac: None,
            mtu: Some(1400),
            up: Some(true),
            promisc: None,
            master_index: None,
            group: None,
        }
    }

    #[test]
    fn set_link_by_name_is_index_zero_with_the_name_where_a_rename_goes() {
        let (mut by_name, mut renamed) = (Vec::new(), Vec::new());
        push_set_link(&mut by_name, &set_link(None, Some("lo"), None)).unwrap();
        push_set_link(&mut renamed, &set_link(Some(1), None, Some("lo"))).unwrap();
        // ifinfomsg's ifi_index is bytes 20..24 (after the 16-byte header and family, pad, type).
        assert_eq!(&renamed[20..24], [1, 0, 0, 0]);
        renamed[20..24].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(by_name, renamed);
        assert_eq!(
            &by_name[by_name.len() - 8..],
            [7, 0, 3, 0, b'l', b'o', 0, 0]
        );
    }

    #[test]
    fn set_link_needs_exactly_one_target() {
        let mut buf = Vec::new();
        let path = |r: SetLink| push_set_link(&mut Vec::new(), &r).unwrap_err().path;
        assert_eq!(path(set_link(None, None, None)), "index");
        assert_eq!(path(set_link(Some(1), Some("lo"), None)), "byName");
        assert_eq!(path(set_link(None, Some("lo"), Some("x"))), "name");
        assert_eq!(path(set_link(None, Some("a/b"), None)), "byName");
        assert_eq!(path(set_link(Some(0), None, None)), "index");
        assert!(push_set_link(&mut buf, &set_link(Some(1), None, None)).is_ok());
    }

    #[test]
    fn moving_index_zero_is_refused() {
        let mut buf = Vec::new();
        assert_eq!(
            push_set_link_ns(&mut buf, 1, 0, 0, 3).unwrap_err().path,
            "index"
        );
        assert!(push_set_link_ns(&mut buf, 1, 0, u32::MAX, 3).is_err());
    }
}
