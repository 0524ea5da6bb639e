//! vxlan: IFLA_VXLAN_*, in the order iproute2's iplink_vxlan.c writes them
//! whatever the command's: LINK, ID, LOCAL, GROUP (group or remote), LEARNING, PORT.
//! A dumped vxlan's IFLA_INFO_DATA decodes into the same options (`Link.vxlan`).

use serde::{Deserialize, Serialize};

use super::{KindSpec, Need};
use crate::attr::{find, read_optional, Attr};
use crate::encode::{index, ip, ip_of, nest, optional, put, put_u32, Result};
use crate::fault::{DecodeError, EncodeError};
use crate::ip::{display_ip, Ip, AF_INET6};
use crate::limits::{PORT_MAX, PORT_MIN, VXLAN_ID_MAX};
use crate::link::consts::IFLA_INFO_DATA;

const IFLA_VXLAN_ID: u16 = 1;
const IFLA_VXLAN_GROUP: u16 = 2;
const IFLA_VXLAN_LINK: u16 = 3;
const IFLA_VXLAN_LOCAL: u16 = 4;
const IFLA_VXLAN_LEARNING: u16 = 7;
const IFLA_VXLAN_PORT: u16 = 15;
const IFLA_VXLAN_GROUP6: u16 = 16;
const IFLA_VXLAN_LOCAL6: u16 = 17;

// Decoded (Link.vxlan), a field is absent where the kernel sends no attribute: no local, far end or parent; the
// kernel always sends the port.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(optional_fields, rename = "VxlanOptions")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    pub id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    // Decoded: IFLA_VXLAN_LINK, the index of the parent in the namespace the vxlan was made in (the one its
    // IFLA_LINK_NETNSID names, when that is another).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_index: Option<u32>,
}

pub const SPEC: KindSpec = KindSpec {
    name: "vxlan",
    plain_info_data: true,
    parent: Need::Optional,
    options_required: true,
};

/// 224.0.0.0/4 or ff00::/8, by the address's length (4 or 16 bytes).
fn is_multicast(bytes: &[u8]) -> bool {
    match bytes {
        [first, _, _, _] => first & 0xf0 == 0xe0,
        [first, ..] if bytes.len() == 16 => *first == 0xff,
        _ => false,
    }
}

/// An optional address that must match `family` once one address has set it.
fn vxlan_ip(path: &str, text: Option<&str>, family: &mut Option<u8>) -> Result<Option<Ip>> {
    let Some(text) = text else { return Ok(None) };
    let ip = match *family {
        Some(f) => ip_of(path, text, f)?,
        None => ip(path, text)?,
    };
    *family = Some(ip.family);
    Ok(Some(ip))
}

/// The far end: a multicast group or a unicast remote, never both.
fn far_end(v: &Options, family: &mut Option<u8>) -> Result<Option<(u16, Ip)>> {
    let (path, text, multicast) = match (&v.group, &v.remote) {
        (Some(_), Some(_)) => {
            return Err(EncodeError::new(
                "vxlan.remote",
                "cannot be given with vxlan.group",
            ))
        }
        (Some(group), None) => ("vxlan.group", Some(group.as_str()), true),
        (None, remote) => ("vxlan.remote", remote.as_deref(), false),
    };
    let Some(ip) = vxlan_ip(path, text, family)? else {
        return Ok(None);
    };
    if is_multicast(&ip.bytes) != multicast {
        let what = if multicast {
            "must be a multicast address"
        } else {
            "must not be a multicast address (use group)"
        };
        return Err(EncodeError::new(path, what));
    }
    let id = if ip.family == AF_INET6 {
        IFLA_VXLAN_GROUP6
    } else {
        IFLA_VXLAN_GROUP
    };
    Ok(Some((id, ip)))
}

pub fn put_info_data(buf: &mut Vec<u8>, v: &Options) -> Result<()> {
    if v.id > VXLAN_ID_MAX {
        return Err(EncodeError::new(
            "vxlan.id",
            format!("{} is above the 24-bit VNI maximum {VXLAN_ID_MAX}", v.id),
        ));
    }
    let port = v
        .port
        .map(|p| match u16::try_from(p) {
            Ok(port) if p >= PORT_MIN => Ok(port),
            _ => Err(EncodeError::new(
                "vxlan.port",
                format!("{p} is not a UDP port ({PORT_MIN} to {PORT_MAX})"),
            )),
        })
        .transpose()?;
    let mut family = None;
    let local = vxlan_ip("vxlan.local", v.local.as_deref(), &mut family)?;
    let far = far_end(v, &mut family)?;
    let local_id = if family == Some(AF_INET6) {
        IFLA_VXLAN_LOCAL6
    } else {
        IFLA_VXLAN_LOCAL
    };
    nest(buf, IFLA_INFO_DATA, |buf| {
        optional(v.parent_index, |i| {
            put_u32(buf, IFLA_VXLAN_LINK, index("vxlan.parentIndex", i)?)
        })?;
        put_u32(buf, IFLA_VXLAN_ID, v.id)?;
        optional(local, |ip| put(buf, local_id, &ip.bytes))?;
        optional(far, |(id, ip)| put(buf, id, &ip.bytes))?;
        put(buf, IFLA_VXLAN_LEARNING, &[1])?;
        // The UDP port is the one attribute in network byte order.
        optional(port, |p| put(buf, IFLA_VXLAN_PORT, &p.to_be_bytes()))
    })
}

/// A dumped vxlan's IFLA_INFO_DATA as the options that would make it: the kernel
/// keeps a group and a remote in one field (IFLA_VXLAN_GROUP/GROUP6), told apart
/// as iproute2 tells them, by whether the address is multicast. None without a VNI.
pub fn decode(data: &[Attr]) -> std::result::Result<Option<Options>, DecodeError> {
    let Some(id) = read_optional(data, IFLA_VXLAN_ID, Attr::u32)? else {
        return Ok(None);
    };
    let text = |a: &Attr| Ok(display_ip(a.payload));
    let local = match read_optional(data, IFLA_VXLAN_LOCAL, text)? {
        Some(local) => Some(local),
        None => read_optional(data, IFLA_VXLAN_LOCAL6, text)?,
    };
    let far = find(data, IFLA_VXLAN_GROUP).or_else(|| find(data, IFLA_VXLAN_GROUP6));
    let multicast = far.is_some_and(|a| is_multicast(a.payload));
    let far = far.map(|a| display_ip(a.payload));
    Ok(Some(Options {
        id,
        local,
        group: far.clone().filter(|_| multicast),
        remote: far.filter(|_| !multicast),
        // The one attribute in network byte order.
        port: read_optional(data, IFLA_VXLAN_PORT, |a| match a.payload {
            [high, low, ..] => Ok(u32::from(u16::from_be_bytes([*high, *low]))),
            _ => Err(DecodeError::new(
                a.offset,
                "IFLA_VXLAN_PORT has fewer than 2 payload bytes",
            )),
        })?,
        // 0: none (the kernel sends it only when it has one).
        parent_index: read_optional(data, IFLA_VXLAN_LINK, Attr::u32)?.filter(|&i| i != 0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::parse;

    fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = ((4 + payload.len()) as u16).to_le_bytes().to_vec();
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(payload);
        out.resize(out.len().div_ceil(4) * 4, 0);
        out
    }

    #[test]
    fn data_without_a_vni_is_no_vxlan_and_a_short_port_an_error() {
        let port = attr(IFLA_VXLAN_PORT, &[0x12]);
        assert_eq!(decode(&parse(&port, 0).unwrap()).unwrap(), None);
        let bytes = [attr(IFLA_VXLAN_ID, &5u32.to_le_bytes()), port].concat();
        let err = decode(&parse(&bytes, 0).unwrap()).unwrap_err();
        assert_eq!(err.offset, 8);
    }

    #[test]
    fn a_parent_index_of_0_is_none() {
        let bytes = [
            attr(IFLA_VXLAN_ID, &5u32.to_le_bytes()),
            attr(IFLA_VXLAN_LINK, &0u32.to_le_bytes()),
        ]
        .concat();
        let decoded = decode(&parse(&bytes, 0).unwrap()).unwrap().unwrap();
        assert_eq!((decoded.id, decoded.parent_index), (5, None));
    }
}
