//! The generic view: every message as header + fixed family header + attribute
//! tree, for debugging and for byte-exact round trips (decodeRaw / encodeRaw).
//!
//! Attributes are expanded into nests only where the nest is known (by schema
//! or by NLA_F_NESTED) and re-encodes to exactly the same bytes; anything else
//! stays hex, so encode_raw(decode_raw(b)) == b for every b that decodes.

use serde::{Deserialize, Serialize};

use crate::addr::consts::{ADDR_TYPES, IFADDRMSG};
use crate::attr::{self, find, Attr, NLA_F_NESTED};
use crate::error::ext_ack_start;
use crate::fault::{DecodeError, EncodeError};
use crate::link::consts::{
    IFINFOMSG, IFLA_AF_SPEC, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA,
    IFLA_INFO_SLAVE_KIND, IFLA_LINKINFO, IFLA_PORT_SELF, IFLA_PROP_LIST, IFLA_VFINFO_LIST,
    IFLA_VF_PORTS, IFLA_XDP, LINK_TYPES,
};
use crate::link::kinds::KINDS;
use crate::message::{self, frames, Frame, Header};
use crate::route::consts::{ROUTE_TYPES, RTA_METRICS, RTMSG};
use crate::wire::{from_hex, pad4, to_hex};

/// A generic netlink message: header, fixed family header (hex), and its attribute tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RawMessage {
    #[serde(rename = "type")]
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
    pub fixed: String,
    pub attrs: Vec<RawAttr>,
}

/// An rtattr: `type` keeps the NLA_F_NESTED bit; exactly one of `data` (hex) and nested `attrs` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RawAttr {
    #[serde(rename = "type")]
    pub kind: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Vec<RawAttr>>,
}

/// Deeper nests stay hex: bounds recursion on hostile input.
const MAX_DEPTH: usize = 16;
/// Link attributes that are nests of plain attributes.
const LINK_PLAIN_NESTS: [u16; 5] = [
    IFLA_VFINFO_LIST,
    IFLA_VF_PORTS,
    IFLA_PORT_SELF,
    IFLA_XDP,
    IFLA_PROP_LIST,
];
/// Bridge ports carry IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA.
const PLAIN_SLAVE_DATA: [&str; 1] = ["bridge"];

/// What an attribute list's members are, as far as expansion cares.
#[derive(Clone, Copy)]
enum Nest {
    /// Children are data unless flagged NLA_F_NESTED.
    Plain,
    Link,
    LinkInfo,
    /// IFLA_AF_SPEC: one nest per address family.
    AfSpec,
    /// A route message: RTA_METRICS is a nest of RTAX_* values. (RTA_MULTIPATH is
    /// a run of struct rtnexthop, not attributes, so it stays hex.)
    Route,
}

fn kind_is(siblings: &[Attr], id: u16, kinds: &[&str]) -> bool {
    find(siblings, id).is_some_and(|a| kinds.contains(&a.string().as_str()))
}

/// Whether the link kind named by IFLA_INFO_KIND among `siblings` has a plain IFLA_INFO_DATA.
fn plain_info_data(siblings: &[Attr]) -> bool {
    find(siblings, IFLA_INFO_KIND).is_some_and(|a| {
        let name = a.string();
        KINDS.iter().any(|k| k.plain_info_data && k.name == name)
    })
}

fn child_nest(parent: Nest, attr: &Attr, siblings: &[Attr]) -> Option<Nest> {
    let known = match (parent, attr.id()) {
        (Nest::Link, IFLA_LINKINFO) => Some(Nest::LinkInfo),
        (Nest::Link, IFLA_AF_SPEC) => Some(Nest::AfSpec),
        (Nest::Link, id) if LINK_PLAIN_NESTS.contains(&id) => Some(Nest::Plain),
        (Nest::LinkInfo, IFLA_INFO_DATA) if plain_info_data(siblings) => Some(Nest::Plain),
        (Nest::LinkInfo, IFLA_INFO_SLAVE_DATA)
            if kind_is(siblings, IFLA_INFO_SLAVE_KIND, &PLAIN_SLAVE_DATA) =>
        {
            Some(Nest::Plain)
        }
        (Nest::AfSpec, _) => Some(Nest::Plain),
        (Nest::Route, RTA_METRICS) => Some(Nest::Plain),
        _ => None,
    };
    known.or((attr.kind & NLA_F_NESTED != 0).then_some(Nest::Plain))
}

fn raw_attrs(attrs: &[Attr], nest: Nest, depth: usize) -> Vec<RawAttr> {
    attrs
        .iter()
        .map(|a| raw_attr(a, child_nest(nest, a, attrs), depth))
        .collect()
}

fn raw_attr(attr: &Attr, nest: Option<Nest>, depth: usize) -> RawAttr {
    // Expanding only canonical payloads (and, below, only canonical nests) is what makes re-encoding exact.
    let expanded = nest
        .filter(|_| depth < MAX_DEPTH && attr::is_canonical(attr.payload))
        .and_then(|nest| {
            attr.nested()
                .ok()
                .map(|children| raw_attrs(&children, nest, depth + 1))
        });
    match expanded {
        Some(children) => RawAttr {
            kind: attr.kind,
            data: None,
            attrs: Some(children),
        },
        None => RawAttr {
            kind: attr.kind,
            data: Some(to_hex(attr.payload, "")),
            attrs: None,
        },
    }
}

/// The family header's size and how to read the attributes after it, for the families this codec knows.
fn family(kind: u16) -> Option<(usize, Nest)> {
    if LINK_TYPES.contains(&kind) {
        Some((IFINFOMSG, Nest::Link))
    } else if ADDR_TYPES.contains(&kind) {
        Some((IFADDRMSG, Nest::Plain))
    } else if ROUTE_TYPES.contains(&kind) {
        Some((RTMSG, Nest::Route))
    } else {
        None
    }
}

/// How many payload bytes are the family header, before any attributes.
fn fixed_len(frame: &Frame) -> Result<usize, DecodeError> {
    match family(frame.header.kind) {
        Some((size, _)) => Ok(size.min(frame.payload.len())),
        None => Ok(ext_ack_start(frame)?.unwrap_or(frame.payload.len())),
    }
}

fn decode_frame(frame: &Frame) -> Result<RawMessage, DecodeError> {
    let split = fixed_len(frame)?;
    let (fixed, rest) = frame.payload.split_at(split);
    let attrs = attr::parse(rest, frame.payload_offset() + split)?;
    let nest = family(frame.header.kind).map_or(Nest::Plain, |(_, nest)| nest);
    let Header {
        kind,
        flags,
        seq,
        pid,
    } = frame.header;
    Ok(RawMessage {
        kind,
        flags,
        seq,
        pid,
        fixed: to_hex(fixed, ""),
        attrs: raw_attrs(&attrs, nest, 0),
    })
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or((a.len() != b.len()).then_some(a.len().min(b.len())))
}

pub fn decode_raw(buf: &[u8]) -> Result<Vec<RawMessage>, DecodeError> {
    let messages = frames(buf)?
        .iter()
        .map(decode_frame)
        .collect::<Result<Vec<_>, _>>()?;
    // Only non-zero padding or lengths that leave out their padding can differ; refuse them rather than silently change bytes.
    let again = encode_raw(&messages).map_err(|e| DecodeError::new(0, e.to_string()))?;
    match first_difference(&again, buf) {
        None => Ok(messages),
        Some(at) => Err(DecodeError::new(
            at,
            "not in the canonical layout (non-zero padding, or a length that leaves out its padding), so it cannot round-trip",
        )),
    }
}

fn encode_attrs(attrs: &[RawAttr], path: &str) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    for (i, a) in attrs.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let start = attr::begin(&mut buf);
        match (&a.data, &a.attrs) {
            (Some(data), None) => {
                buf.extend(from_hex(data).map_err(|e| EncodeError::new(format!("{path}.data"), e))?)
            }
            (None, Some(children)) => buf.extend(encode_attrs(children, &format!("{path}.attrs"))?),
            _ => {
                return Err(EncodeError::new(
                    path,
                    "an attribute needs exactly one of `data` and `attrs`",
                ))
            }
        }
        attr::end(&mut buf, start, a.kind).map_err(|e| EncodeError::new(&path, e))?;
    }
    Ok(buf)
}

pub fn encode_raw(messages: &[RawMessage]) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let path = format!("messages[{i}]");
        let fixed = from_hex(&m.fixed).map_err(|e| EncodeError::new(format!("{path}.fixed"), e))?;
        if fixed.len() % 4 != 0 && !m.attrs.is_empty() {
            return Err(EncodeError::new(
                format!("{path}.fixed"),
                "must be a multiple of 4 bytes when attributes follow",
            ));
        }
        // Messages sit at 4-byte boundaries; the last one keeps its own length.
        pad4(&mut buf);
        let start = message::begin(
            &mut buf,
            Header {
                kind: m.kind,
                flags: m.flags,
                seq: m.seq,
                pid: m.pid,
            },
        );
        buf.extend(fixed);
        buf.extend(encode_attrs(&m.attrs, &format!("{path}.attrs"))?);
        message::end(&mut buf, start).map_err(|e| EncodeError::new(&path, e))?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(kind: u16, hex: &str) -> RawAttr {
        RawAttr {
            kind,
            data: Some(hex.into()),
            attrs: None,
        }
    }

    fn link_message(attrs: Vec<RawAttr>) -> RawMessage {
        RawMessage {
            kind: 16,
            flags: 0,
            seq: 1,
            pid: 0,
            fixed: "00".repeat(16),
            attrs,
        }
    }

    #[test]
    fn known_nests_expand_and_round_trip() {
        let linkinfo = RawAttr {
            kind: IFLA_LINKINFO,
            data: None,
            attrs: Some(vec![
                data(IFLA_INFO_KIND, "62726964676500"),
                RawAttr {
                    kind: IFLA_INFO_DATA,
                    data: None,
                    attrs: Some(vec![data(1, "01000000")]),
                },
            ]),
        };
        let messages = vec![link_message(vec![data(3, "627230"), linkinfo])];
        let bytes = encode_raw(&messages).unwrap();
        assert_eq!(decode_raw(&bytes).unwrap(), messages);
    }

    #[test]
    fn unknown_kind_info_data_stays_hex() {
        let linkinfo = RawAttr {
            kind: IFLA_LINKINFO,
            data: None,
            attrs: Some(vec![
                data(IFLA_INFO_KIND, "6e6577"),
                data(IFLA_INFO_DATA, "0800010001000000"),
            ]),
        };
        let messages = vec![link_message(vec![linkinfo])];
        assert_eq!(
            decode_raw(&encode_raw(&messages).unwrap()).unwrap(),
            messages
        );
    }

    #[test]
    fn nested_flag_expands_without_schema() {
        // 62 is IFLA_DEVLINK_PORT, which this codec has no schema for.
        let messages = vec![link_message(vec![RawAttr {
            kind: 62 | NLA_F_NESTED,
            data: None,
            attrs: Some(vec![data(1, "ff")]),
        }])];
        let bytes = encode_raw(&messages).unwrap();
        assert_eq!(bytes.len(), 32 + 4 + 8);
        assert_eq!(decode_raw(&bytes).unwrap(), messages);
    }

    /// `levels` attributes each flagged NLA_F_NESTED, one inside the other, around a data attribute.
    fn nested(levels: usize) -> RawAttr {
        (0..levels).fold(data(1, "ff"), |inner, _| RawAttr {
            kind: 1 | NLA_F_NESTED,
            data: None,
            attrs: Some(vec![inner]),
        })
    }

    #[test]
    fn nests_expand_to_max_depth_and_no_deeper() {
        let expanded = vec![link_message(vec![nested(MAX_DEPTH)])];
        let bytes = encode_raw(&expanded).unwrap();
        assert_eq!(decode_raw(&bytes).unwrap(), expanded);
        let too_deep = encode_raw(&[link_message(vec![nested(MAX_DEPTH + 1)])]).unwrap();
        let mut attr = &decode_raw(&too_deep).unwrap()[0].attrs[0];
        for _ in 0..MAX_DEPTH {
            attr = &attr.attrs.as_ref().unwrap()[0];
        }
        assert!(attr.data.is_some(), "level {MAX_DEPTH} should stay hex");
    }

    fn linkinfo(kind_attr: u16, kind: &str, data_attr: u16) -> RawMessage {
        let name = kind.bytes().map(|b| format!("{b:02x}")).collect::<String>() + "00";
        link_message(vec![RawAttr {
            kind: IFLA_LINKINFO,
            data: None,
            attrs: Some(vec![
                data(kind_attr, &name),
                RawAttr {
                    kind: data_attr,
                    data: None,
                    attrs: Some(vec![data(1, "01000000")]),
                },
            ]),
        }])
    }

    #[test]
    fn slave_data_expands_for_bridge_ports_only() {
        let port = vec![linkinfo(
            IFLA_INFO_SLAVE_KIND,
            "bridge",
            IFLA_INFO_SLAVE_DATA,
        )];
        assert_eq!(decode_raw(&encode_raw(&port).unwrap()).unwrap(), port);
        let bond =
            encode_raw(&[linkinfo(IFLA_INFO_SLAVE_KIND, "bond", IFLA_INFO_SLAVE_DATA)]).unwrap();
        let info = &decode_raw(&bond).unwrap()[0].attrs[0];
        assert!(info.attrs.as_ref().unwrap()[1].data.is_some());
        // A kind's IFLA_INFO_DATA is not a port's: IFLA_INFO_KIND "bridge" says nothing of slave data.
        let mixed =
            encode_raw(&[linkinfo(IFLA_INFO_KIND, "bridge", IFLA_INFO_SLAVE_DATA)]).unwrap();
        let info = &decode_raw(&mixed).unwrap()[0].attrs[0];
        assert!(info.attrs.as_ref().unwrap()[1].data.is_some());
    }

    #[test]
    fn info_data_expands_by_kind() {
        for kind in ["bridge", "veth", "vxlan", "macvlan", "gretap"] {
            let plain = vec![linkinfo(IFLA_INFO_KIND, kind, IFLA_INFO_DATA)];
            assert_eq!(
                decode_raw(&encode_raw(&plain).unwrap()).unwrap(),
                plain,
                "{kind}"
            );
        }
        for kind in ["dummy", "wireguard", "ifb", "bond"] {
            let bytes = encode_raw(&[linkinfo(IFLA_INFO_KIND, kind, IFLA_INFO_DATA)]).unwrap();
            let info = &decode_raw(&bytes).unwrap()[0].attrs[0];
            assert!(info.attrs.as_ref().unwrap()[1].data.is_some(), "{kind}");
        }
    }

    #[test]
    fn link_nests_expand_only_in_link_messages() {
        // IFLA_AF_SPEC (26) holds one nest per family; in an address message 26 is just data.
        let af_spec = RawAttr {
            kind: IFLA_AF_SPEC,
            data: None,
            attrs: Some(vec![RawAttr {
                kind: 2,
                data: None,
                attrs: Some(vec![data(1, "01000000")]),
            }]),
        };
        let link = vec![link_message(vec![af_spec.clone()])];
        assert_eq!(decode_raw(&encode_raw(&link).unwrap()).unwrap(), link);
        let mut addr = link_message(vec![af_spec]);
        addr.kind = 20;
        addr.fixed = "00".repeat(8);
        let decoded = decode_raw(&encode_raw(&[addr]).unwrap()).unwrap();
        assert!(decoded[0].attrs[0].data.is_some());
        for plain in LINK_PLAIN_NESTS {
            let link = vec![link_message(vec![RawAttr {
                kind: plain,
                data: None,
                attrs: Some(vec![data(1, "01000000")]),
            }])];
            assert_eq!(
                decode_raw(&encode_raw(&link).unwrap()).unwrap(),
                link,
                "{plain}"
            );
        }
    }

    #[test]
    fn other_link_attributes_stay_data_even_when_they_parse_as_attributes() {
        // IFLA_IFNAME (3) holding bytes that happen to be one empty attribute.
        let name = vec![link_message(vec![data(3, "04000100")])];
        assert_eq!(decode_raw(&encode_raw(&name).unwrap()).unwrap(), name);
    }

    #[test]
    fn route_metrics_expand() {
        let route = vec![RawMessage {
            kind: 24,
            flags: 0,
            seq: 1,
            pid: 0,
            fixed: "00".repeat(12),
            attrs: vec![RawAttr {
                kind: RTA_METRICS,
                data: None,
                attrs: Some(vec![data(2, "dc050000")]),
            }],
        }];
        assert_eq!(decode_raw(&encode_raw(&route).unwrap()).unwrap(), route);
    }

    #[test]
    fn unknown_families_keep_their_whole_payload_fixed() {
        let messages = vec![RawMessage {
            kind: 1000,
            flags: 0,
            seq: 0,
            pid: 0,
            fixed: "0500010007".into(),
            attrs: vec![],
        }];
        assert_eq!(
            decode_raw(&encode_raw(&messages).unwrap()).unwrap(),
            messages
        );
    }

    #[test]
    fn a_bad_attribute_is_reported_at_its_offset_in_the_buffer() {
        let mut bytes = encode_raw(&[link_message(vec![]), link_message(vec![])]).unwrap();
        // A 2-byte attribute stub after the second message's ifinfomsg.
        bytes.extend_from_slice(&[9, 0]);
        let second = 32;
        bytes[second] += 2;
        assert_eq!(decode_raw(&bytes).unwrap_err().offset, second + 32);
    }

    #[test]
    fn non_zero_padding_is_refused_with_its_offset() {
        let mut bytes = encode_raw(&[link_message(vec![data(3, "6c6f00")])]).unwrap();
        bytes[16 + 16 + 7] = 1;
        assert_eq!(decode_raw(&bytes).unwrap_err().offset, 39);
    }

    #[test]
    fn encode_errors_name_the_field() {
        let mut bad = link_message(vec![RawAttr {
            kind: 1,
            data: None,
            attrs: Some(vec![data(2, "zz")]),
        }]);
        assert_eq!(
            encode_raw(&[bad.clone()]).unwrap_err().path,
            "messages[0].attrs[0].attrs[0].data"
        );
        bad.attrs = vec![RawAttr {
            kind: 1,
            data: None,
            attrs: None,
        }];
        assert_eq!(
            encode_raw(&[bad.clone()]).unwrap_err().path,
            "messages[0].attrs[0]"
        );
        bad.fixed = "00".into();
        assert_eq!(encode_raw(&[bad]).unwrap_err().path, "messages[0].fixed");
    }
}
