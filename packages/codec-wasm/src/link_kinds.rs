//! The link kinds newLink creates and their IFLA_INFO_DATA, in the attribute
//! order iproute2 6.1's per-kind option parsers (iplink_*.c) write.

use serde::Deserialize;

use crate::encode::{index, ip_of, nest, optional, put, put_u32, Result};
use crate::fault::EncodeError;
use crate::ip::{parse_ip, Ip, AF_INET, AF_INET6};
use crate::link_req::{put_peer, NewLink};

const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
const IFLA_MACVLAN_MODE: u16 = 1;
const VXLAN_MAX_ID: u32 = 0xff_ffff;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Bridge,
    Veth,
    Dummy,
    Gretap,
    Wireguard,
    Vxlan,
    Macvlan,
    Ifb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MacvlanMode {
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vxlan {
    pub id: u32,
    pub local: Option<String>,
    pub group: Option<String>,
    pub remote: Option<String>,
    pub port: Option<u32>,
    pub parent_index: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gre {
    pub local: Option<String>,
    pub remote: Option<String>,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Bridge => "bridge",
            LinkKind::Veth => "veth",
            LinkKind::Dummy => "dummy",
            LinkKind::Gretap => "gretap",
            LinkKind::Wireguard => "wireguard",
            LinkKind::Vxlan => "vxlan",
            LinkKind::Macvlan => "macvlan",
            LinkKind::Ifb => "ifb",
        }
    }

    /// Kind-specific options given to another kind are refused rather than silently dropped.
    pub fn check_options(self, r: &NewLink) -> Result<()> {
        let given = [
            ("peer", r.peer.is_some(), LinkKind::Veth),
            ("vxlan", r.vxlan.is_some(), LinkKind::Vxlan),
            ("gre", r.gre.is_some(), LinkKind::Gretap),
            ("macvlanMode", r.macvlan_mode.is_some(), LinkKind::Macvlan),
        ];
        for (field, present, owner) in given {
            if present && self != owner {
                return Err(EncodeError::new(
                    field,
                    format!(
                        "only for kind {:?}, not {:?}",
                        owner.as_str(),
                        self.as_str()
                    ),
                ));
            }
        }
        if self == LinkKind::Vxlan && r.vxlan.is_none() {
            return Err(EncodeError::new(
                "vxlan",
                "required for kind \"vxlan\" (at least its id)",
            ));
        }
        Ok(())
    }
}

/// IFLA_INFO_DATA, which iproute2 writes only when the kind has options on the command line.
pub fn put_info_data(buf: &mut Vec<u8>, r: &NewLink) -> Result<()> {
    if let Some(peer) = &r.peer {
        return nest(buf, IFLA_INFO_DATA, |buf| {
            nest(buf, VETH_INFO_PEER, |buf| put_peer(buf, peer))
        });
    }
    if let Some(mode) = r.macvlan_mode {
        return nest(buf, IFLA_INFO_DATA, |buf| {
            put_u32(buf, IFLA_MACVLAN_MODE, mode as u32)
        });
    }
    if let Some(vxlan) = &r.vxlan {
        return nest(buf, IFLA_INFO_DATA, |buf| put_vxlan(buf, vxlan));
    }
    match &r.gre {
        Some(gre) if gre.local.is_some() || gre.remote.is_some() => {
            nest(buf, IFLA_INFO_DATA, |buf| put_gre(buf, gre))
        }
        _ => Ok(()),
    }
}

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
        None => parse_ip(text).map_err(|e| EncodeError::new(path, e))?,
    };
    *family = Some(ip.family);
    Ok(Some(ip))
}

/// iproute2's vxlan order whatever the command's: LINK, ID, LOCAL, GROUP (group or remote), LEARNING, PORT.
fn put_vxlan(buf: &mut Vec<u8>, v: &Vxlan) -> Result<()> {
    const LINK: u16 = 3;
    const ID: u16 = 1;
    const LEARNING: u16 = 7;
    const PORT: u16 = 15;
    if v.id > VXLAN_MAX_ID {
        return Err(EncodeError::new(
            "vxlan.id",
            format!("{} is above the 24-bit VNI maximum {VXLAN_MAX_ID}", v.id),
        ));
    }
    let port = v
        .port
        .map(|p| {
            u16::try_from(p)
                .map_err(|_| EncodeError::new("vxlan.port", format!("{p} is not a UDP port")))
        })
        .transpose()?;
    let mut family = None;
    let local = vxlan_ip("vxlan.local", v.local.as_deref(), &mut family)?;
    let (peer_path, peer_text) = match (&v.group, &v.remote) {
        (Some(_), Some(_)) => {
            return Err(EncodeError::new(
                "vxlan.remote",
                "cannot be given with vxlan.group",
            ))
        }
        (Some(group), None) => ("vxlan.group", Some(group.as_str())),
        (None, remote) => ("vxlan.remote", remote.as_deref()),
    };
    let peer = vxlan_ip(peer_path, peer_text, &mut family)?;
    if let Some(peer) = &peer {
        if is_multicast(peer) != (peer_path == "vxlan.group") {
            let what = if peer_path == "vxlan.group" {
                "must be a multicast address"
            } else {
                "must not be a multicast address (use group)"
            };
            return Err(EncodeError::new(peer_path, what));
        }
    }
    let v6 = family == Some(AF_INET6);
    optional(v.parent_index, |i| {
        put_u32(buf, LINK, index("vxlan.parentIndex", i)?)
    })?;
    put_u32(buf, ID, v.id)?;
    optional(local, |ip| put(buf, if v6 { 17 } else { 4 }, &ip.bytes))?;
    optional(peer, |ip| put(buf, if v6 { 16 } else { 2 }, &ip.bytes))?;
    put(buf, LEARNING, &[1])?;
    // The UDP port is the one attribute in network byte order.
    optional(port, |p| put(buf, PORT, &p.to_be_bytes()))
}

/// gre_parse_opt writes its whole option set, defaults included, once any option is given.
fn put_gre(buf: &mut Vec<u8>, g: &Gre) -> Result<()> {
    let address = |path: &str, text: &Option<String>| -> Result<Vec<u8>> {
        match text {
            Some(text) => Ok(ip_of(path, text, AF_INET)?.bytes),
            None => Ok(vec![0; 4]),
        }
    };
    let local = address("gre.local", &g.local)?;
    let remote = address("gre.remote", &g.remote)?;
    let zero16 = [0u8; 2];
    put_u32(buf, 4, 0)?; // IFLA_GRE_IKEY
    put_u32(buf, 5, 0)?; // IFLA_GRE_OKEY
    put(buf, 2, &zero16)?; // IFLA_GRE_IFLAGS
    put(buf, 3, &zero16)?; // IFLA_GRE_OFLAGS
    put(buf, 6, &local)?; // IFLA_GRE_LOCAL
    put(buf, 7, &remote)?; // IFLA_GRE_REMOTE
    put(buf, 10, &[1])?; // IFLA_GRE_PMTUDISC: on
    put(buf, 9, &[0])?; // IFLA_GRE_TOS: inherit
    put(buf, 8, &[0])?; // IFLA_GRE_TTL: inherit
    put_u32(buf, 20, 0)?; // IFLA_GRE_FWMARK
    for encap in 14..=17 {
        put(buf, encap, &zero16)?; // IFLA_GRE_ENCAP_TYPE, _FLAGS, _SPORT, _DPORT
    }
    Ok(())
}
