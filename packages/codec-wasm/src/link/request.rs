//! Link requests (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK), laid out byte for
//! byte as iproute2 6.1 lays out the same `ip link` command (see the
//! fixtures/link/*-request vectors).

use serde::Deserialize;

use super::attrs::{ifinfomsg, LinkAttrs};
use super::consts::{
    AF_PACKET, IFF_PROMISC, IFF_UP, IFLA_EXT_MASK, IFLA_GROUP, IFLA_IFNAME, IFLA_INFO_KIND,
    IFLA_LINKINFO, IFLA_NET_NS_FD, IFLA_TARGET_NETNSID, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK,
};
use super::kinds::NewLink;
use crate::encode::{
    ifname, index, message, nest, optional, put, put_cstr, put_nsid, put_u32, Head, Result,
};
use crate::fault::EncodeError;
use crate::message::{NLM_F_ACK, NLM_F_ADD, NLM_F_DUMP};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetLink {
    pub seq: u32,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<u32>", optional))]
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

/// As `ip link add NAME [up] [mtu N] [address M] [group G] [master B] [netns NS] [link P] type KIND ...`.
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_new_link(buf: &mut Vec<u8>, r: &NewLink) -> Result<()> {
    r.check_kind_options()?;
    let kind = r.kind.spec();
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
        NLM_F_ADD,
        &{
            let up = if r.up { IFF_UP } else { 0 };
            ifinfomsg(0, 0, up, up)
        },
        |buf| {
            attrs.put(buf, "")?;
            nest(buf, IFLA_LINKINFO, |buf| {
                // iproute2 writes the kind without its NUL; the kernel accepts both.
                put(buf, IFLA_INFO_KIND, kind.name.as_bytes())?;
                r.put_info_data(buf)
            })?;
            put_target(buf, r.target_nsid)
        },
    )
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
#[inline(never)] // apart from the other kinds: see request::push
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

/// IFLA_TARGET_NETNSID, when the request acts in the namespace the asking one knows by that nsid.
/// It goes last, after what iproute2 writes (iproute2 has no option for it). Only creation,
/// deletion and reads take it: on a change of an existing link (RTM_NEWLINK or RTM_SETLINK with
/// ifi_index or IFLA_IFNAME) the kernel (6.18) finds the link in the asking namespace and moves it
/// into the target, as IFLA_NET_NS_FD would.
fn put_target(buf: &mut Vec<u8>, target_nsid: Option<i32>) -> Result<()> {
    optional(target_nsid, |nsid| put_nsid(buf, IFLA_TARGET_NETNSID, nsid))
}

/// `ip link del dev X` (by index) or `ip link del group N` (index 0 and IFLA_GROUP).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_del_link(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    target: Option<u32>,
    group: Option<u32>,
    target_nsid: Option<i32>,
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
        |buf| {
            optional(group, |g| put_u32(buf, IFLA_GROUP, g))?;
            put_target(buf, target_nsid)
        },
    )
}

/// One link, as iproute2 looks one up (its ll_link_get): by index, or by IFLA_IFNAME with index 0.
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_link(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    target: Option<u32>,
    name: Option<&str>,
    ext_mask: Option<u32>,
    target_nsid: Option<i32>,
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
            })?;
            put_target(buf, target_nsid)
        },
    )
}

/// RTM_GETLINK dump, byte for byte as iproute2's `ip link show` sends it;
/// with `target_nsid`, IFLA_TARGET_NETNSID after it: the links of the
/// namespace the asking one knows by that nsid (iproute2 has no option for it).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_link_dump(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    ext_mask: Option<u32>,
    target_nsid: Option<i32>,
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
        |buf| {
            optional(ext_mask, |mask| put_u32(buf, IFLA_EXT_MASK, mask))?;
            put_target(buf, target_nsid)
        },
    )
}

/// RTM_NEWLINK moving link `index` into the namespace open as `ns_fd`, as
/// `ip link set dev X netns NAME` sends it.
#[inline(never)] // apart from the other kinds: see request::push
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
        push_get_link_dump(&mut buf, 5, 0, None, None).unwrap();
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
