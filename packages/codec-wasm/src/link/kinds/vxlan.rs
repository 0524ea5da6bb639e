//! vxlan: IFLA_VXLAN_*, in the order iproute2's iplink_vxlan.c writes them
//! whatever the command's: LINK, ID, LOCAL, GROUP (group or remote), LEARNING, PORT.

use serde::Deserialize;

use super::{KindSpec, Need};
use crate::encode::{index, ip, ip_of, nest, optional, put, put_u32, Result};
use crate::fault::EncodeError;
use crate::ip::{Ip, AF_INET, AF_INET6};
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(optional_fields, rename = "VxlanOptions")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    pub id: u32,
    pub local: Option<String>,
    pub group: Option<String>,
    pub remote: Option<String>,
    pub port: Option<u32>,
    pub parent_index: Option<u32>,
}

pub const SPEC: KindSpec = KindSpec {
    name: "vxlan",
    plain_info_data: true,
    parent: Need::Optional,
    options_required: true,
};

/// 224.0.0.0/4 or ff00::/8.
fn is_multicast(ip: &Ip) -> bool {
    match ip.family {
        AF_INET => ip.bytes[0] & 0xf0 == 0xe0,
        _ => ip.bytes[0] == 0xff,
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
    if is_multicast(&ip) != multicast {
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
