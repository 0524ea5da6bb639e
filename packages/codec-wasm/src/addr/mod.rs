//! The address family: struct ifaddrmsg followed by IFA_* attributes. Requests
//! are laid out as iproute2 6.1's `ip addr add|replace|del|show` sends them.

use serde::{Deserialize, Serialize};

use crate::attr::{find, read_optional, Attr};
pub mod consts;

use crate::encode::{
    change_flags, index, ip, ip_of, message, optional, prefix_len, put, put_nsid, Head, Result,
};
use crate::fault::{DecodeError, EncodeError};
use crate::ip::{display_ip, AF_INET};
use crate::message::{fixed_and_attrs, Frame, NLM_F_DUMP};
use crate::wire::read_u32;
use consts::{
    IFADDRMSG, IFA_ADDRESS, IFA_BROADCAST, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, IFA_TARGET_NETNSID,
    RTM_GETADDR, RT_SCOPE_HOST,
};
pub use consts::{RTM_DELADDR, RTM_NEWADDR};

/// RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL, or NLM_F_REPLACE) / RTM_DELADDR, as `ip addr add|del ADDR/LEN dev X`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddrRequest {
    pub seq: u32,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<u32>", optional))]
    pub pid: u32,
    pub index: u32,
    pub address: String,
    pub prefix_len: u32,
    pub broadcast: Option<String>,
    pub replace: Option<bool>,
}

/// RTM_NEWADDR / RTM_DELADDR decoded.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Address {
    index: u32,
    /// 2 (AF_INET) or 10 (AF_INET6).
    family: u8,
    prefix_len: u8,
    /// IFA_ADDRESS (for point-to-point links, the peer).
    address: Option<String>,
    /// IFA_LOCAL.
    local: Option<String>,
    /// IFA_LABEL.
    label: Option<String>,
    scope: u8,
    /// IFA_FLAGS if present, else ifa_flags (IFA_F_*).
    flags: u32,
}

/// As `ip addr add|replace|del ADDR/LEN [broadcast B] dev X`: IFA_LOCAL, IFA_BROADCAST, then IFA_ADDRESS (= local, no peer).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_addr(buf: &mut Vec<u8>, delete: bool, r: &AddrRequest) -> Result<()> {
    let target = index("index", r.index)?;
    let local = ip("address", &r.address)?;
    let len = prefix_len("prefixLen", r.prefix_len, &local)?;
    let broadcast = r
        .broadcast
        .as_deref()
        .map(|b| {
            if local.family != AF_INET {
                return Err(EncodeError::new(
                    "broadcast",
                    "only IPv4 addresses have a broadcast address",
                ));
            }
            ip_of("broadcast", b, AF_INET)
        })
        .transpose()?;
    let flags = change_flags(delete, r.replace, "newAddr")?;
    // iproute2's default_scope: host for 127.0.0.0/8 when adding, else universe.
    let scope = if !delete && local.family == AF_INET && local.bytes[0] == 127 {
        RT_SCOPE_HOST
    } else {
        0
    };
    let mut fixed = [local.family, len, 0, scope, 0, 0, 0, 0];
    fixed[4..].copy_from_slice(&target.to_le_bytes());
    let kind = if delete { RTM_DELADDR } else { RTM_NEWADDR };
    message(
        buf,
        Head {
            kind,
            seq: r.seq,
            pid: r.pid,
        },
        flags,
        &fixed,
        |buf| {
            put(buf, IFA_LOCAL, &local.bytes)?;
            optional(broadcast, |b| put(buf, IFA_BROADCAST, &b.bytes))?;
            put(buf, IFA_ADDRESS, &local.bytes)
        },
    )
}

/// As `ip addr show` dumps: an ifaddrmsg with only the family (0 = all);
/// with `target_nsid`, IFA_TARGET_NETNSID: the addresses of the namespace the
/// asking one knows by that nsid (iproute2 has no option for it).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_addr_dump(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    family: u8,
    target_nsid: Option<i32>,
) -> Result<()> {
    let fixed = [family, 0, 0, 0, 0, 0, 0, 0];
    message(
        buf,
        Head {
            kind: RTM_GETADDR,
            seq,
            pid,
        },
        NLM_F_DUMP,
        &fixed,
        |buf| optional(target_nsid, |nsid| put_nsid(buf, IFA_TARGET_NETNSID, nsid)),
    )
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_address(frame: &Frame) -> std::result::Result<Address, DecodeError> {
    let (fixed, attrs) = fixed_and_attrs(frame, IFADDRMSG, "address")?;
    let ip = |id| read_optional(&attrs, id, |a: &Attr| Ok(display_ip(a.payload)));
    Ok(Address {
        index: read_u32(fixed, 4).unwrap_or_default(),
        family: fixed[0],
        prefix_len: fixed[1],
        address: ip(IFA_ADDRESS)?,
        local: ip(IFA_LOCAL)?,
        label: find(&attrs, IFA_LABEL).map(Attr::string),
        scope: fixed[3],
        flags: read_optional(&attrs, IFA_FLAGS, Attr::u32)?.unwrap_or(u32::from(fixed[2])),
    })
}
