//! The route family: struct rtmsg followed by RTA_* attributes. Requests are
//! laid out as iproute2 6.1's `ip route add|replace|del|show` sends them.

use serde::{Deserialize, Serialize};

use crate::attr::{read_optional, Attr};
pub mod consts;

use crate::encode::{
    change_flags, index, ip_of, message, optional, prefix_len, put, put_u32, within, Head, Result,
};
use crate::fault::{DecodeError, EncodeError};
use crate::ip::{display_ip, AF_INET, AF_INET6};
use crate::limits::TABLE_MIN;
use crate::message::{fixed_and_attrs, Frame, NLM_F_DUMP};
use consts::{
    MAX_U8_TABLE, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTMSG, RTM_GETROUTE,
    RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_TABLE_MAIN,
};
pub use consts::{RTM_DELROUTE, RTM_NEWROUTE};

/// RTM_NEWROUTE (create, or replace) / RTM_DELROUTE, as `ip route add|replace|del ...`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteRequest {
    pub seq: u32,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<u32>", optional))]
    pub pid: u32,
    pub family: u8,
    pub dst: Option<String>,
    pub dst_len: Option<u32>,
    pub gateway: Option<String>,
    pub oif_index: Option<u32>,
    pub metric: Option<u32>,
    pub table: Option<u32>,
    pub replace: Option<bool>,
}

/// RTM_NEWROUTE / RTM_DELROUTE decoded.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Route {
    family: u8,
    /// RTA_DST; null for the default route.
    dst: Option<String>,
    dst_len: u8,
    /// RTA_GATEWAY.
    gateway: Option<String>,
    /// RTA_OIF.
    oif_index: Option<u32>,
    /// RTA_PRIORITY.
    metric: Option<u32>,
    /// RTA_TABLE if present, else rtm_table.
    table: u32,
    protocol: u8,
    scope: u8,
    /// rtm_type (RTN_UNICAST 1, RTN_LOCAL 2, ...).
    #[serde(rename = "type")]
    kind: u8,
}

/// RTA_DST and rtm_dst_len; no destination is the default route. A
/// destination without a length is a host route, as in `ip route add 10.0.0.1 ...`.
fn destination(r: &RouteRequest) -> Result<(Option<Vec<u8>>, u8)> {
    let Some(text) = &r.dst else {
        return match r.dst_len {
            None | Some(0) => Ok((None, 0)),
            Some(_) => Err(EncodeError::new("dst", "required when dstLen is not 0")),
        };
    };
    let dst = ip_of("dst", text, r.family)?;
    let len = match r.dst_len {
        None => dst.max_prefix(),
        Some(len) => prefix_len("dstLen", len, &dst)?,
    };
    Ok((Some(dst.bytes), len))
}

/// As `ip [-6] route add|replace|del [DST/LEN|default] [via GW] [metric M] [table T] [dev X]`.
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_route(buf: &mut Vec<u8>, delete: bool, r: &RouteRequest) -> Result<()> {
    if r.family != AF_INET && r.family != AF_INET6 {
        return Err(EncodeError::new(
            "family",
            format!("{} is neither 2 (AF_INET) nor 10 (AF_INET6)", r.family),
        ));
    }
    let (dst, dst_len) = destination(r)?;
    let gateway = r
        .gateway
        .as_deref()
        .map(|g| ip_of("gateway", g, r.family))
        .transpose()?;
    let oif = r.oif_index.map(|i| index("oifIndex", i)).transpose()?;
    let table = match r.table {
        Some(t) => within("table", t, TABLE_MIN, u32::MAX, "a routing table")?,
        None => RT_TABLE_MAIN,
    };
    let flags = change_flags(delete, r.replace, "newRoute")?;
    // iproute2 leaves protocol and type unspecified when deleting, so any route matching the rest goes.
    let (protocol, kind) = if delete {
        (0, 0)
    } else {
        (RTPROT_BOOT, RTN_UNICAST)
    };
    // iproute2's default scope: IPv6 is always universe; an IPv4 delete matches any scope
    // (nowhere); an IPv4 route without a gateway is on-link.
    let scope = match (r.family, delete, &gateway) {
        (AF_INET6, _, _) => 0,
        (_, true, _) => RT_SCOPE_NOWHERE,
        (_, false, None) => RT_SCOPE_LINK,
        (_, false, Some(_)) => 0,
    };
    let rtm_table = if table > MAX_U8_TABLE { 0 } else { table as u8 };
    let fixed = [
        r.family, dst_len, 0, 0, rtm_table, protocol, scope, kind, 0, 0, 0, 0,
    ];
    let message_kind = if delete { RTM_DELROUTE } else { RTM_NEWROUTE };
    message(
        buf,
        Head {
            kind: message_kind,
            seq: r.seq,
            pid: r.pid,
        },
        flags,
        &fixed,
        |buf| {
            optional(dst, |dst| put(buf, RTA_DST, &dst))?;
            optional(gateway, |gw| put(buf, RTA_GATEWAY, &gw.bytes))?;
            optional(r.metric, |metric| put_u32(buf, RTA_PRIORITY, metric))?;
            if table > MAX_U8_TABLE {
                put_u32(buf, RTA_TABLE, table)?;
            }
            // iproute2 resolves `dev` after its argument loop, so RTA_OIF always comes last.
            optional(oif, |oif| put_u32(buf, RTA_OIF, oif))
        },
    )
}

/// As `ip [-6] route show` dumps: rtmsg with the family and the protocol filter (`proto X`),
/// and the table filter iproute2 adds (254 = main). The kernel applies both only on sockets
/// with NETLINK_GET_STRICT_CHK.
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_route_dump(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    family: u8,
    table: Option<u32>,
    protocol: Option<u8>,
) -> Result<()> {
    let mut fixed = [0; RTMSG];
    fixed[0] = family;
    fixed[5] = protocol.unwrap_or(0);
    message(
        buf,
        Head {
            kind: RTM_GETROUTE,
            seq,
            pid,
        },
        NLM_F_DUMP,
        &fixed,
        |buf| optional(table, |t| put_u32(buf, RTA_TABLE, t)),
    )
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_route(frame: &Frame) -> std::result::Result<Route, DecodeError> {
    let (fixed, attrs) = fixed_and_attrs(frame, RTMSG, "route")?;
    let ip = |id| read_optional(&attrs, id, |a: &Attr| Ok(display_ip(a.payload)));
    Ok(Route {
        family: fixed[0],
        dst: ip(RTA_DST)?,
        dst_len: fixed[1],
        gateway: ip(RTA_GATEWAY)?,
        oif_index: read_optional(&attrs, RTA_OIF, Attr::u32)?,
        metric: read_optional(&attrs, RTA_PRIORITY, Attr::u32)?,
        table: read_optional(&attrs, RTA_TABLE, Attr::u32)?.unwrap_or(u32::from(fixed[4])),
        protocol: fixed[5],
        scope: fixed[6],
        kind: fixed[7],
    })
}
