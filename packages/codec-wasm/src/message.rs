//! nlmsghdr framing and the typed `Message` of index.d.ts.

use serde::Serialize;

use crate::addr::{decode_address, Address, RTM_DELADDR, RTM_NEWADDR};
use crate::attr::{self, Attr};
use crate::error::{decode_done, decode_error, Done, ErrorAck};
use crate::fault::DecodeError;
use crate::link::{decode_link, decode_link_head, Link, LinkHead, RTM_DELLINK, RTM_NEWLINK};
use crate::neigh::{decode_neighbour, Neighbour, RTM_DELNEIGH, RTM_NEWNEIGH};
use crate::nsid::{decode_nsid, Nsid, RTM_DELNSID, RTM_NEWNSID};
use crate::route::{decode_route, Route, RTM_DELROUTE, RTM_NEWROUTE};
use crate::wire::{align4, read_u16, read_u32};

pub const HEADER: usize = 16;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
const NLM_F_DUMP_INTR: u16 = 0x10;
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
/// NLM_F_ROOT | NLM_F_MATCH.
pub const NLM_F_DUMP: u16 = 0x300;
/// What `ip ... add` sends: create, fail if it exists, acknowledge.
pub const NLM_F_ADD: u16 = NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
/// What `ip ... replace` sends: create or replace, acknowledge.
pub const NLM_F_ADD_OR_REPLACE: u16 = NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

/// One message of a buffer: its header, its payload and where it starts.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub header: Header,
    pub payload: &'a [u8],
    pub offset: usize,
}

impl Frame<'_> {
    /// Absolute offset of the payload's first byte.
    pub fn payload_offset(&self) -> usize {
        self.offset + HEADER
    }
}

pub fn read_header(buf: &[u8], at: usize) -> Option<(u32, Header)> {
    Some((
        read_u32(buf, at)?,
        Header {
            kind: read_u16(buf, at + 4)?,
            flags: read_u16(buf, at + 6)?,
            seq: read_u32(buf, at + 8)?,
            pid: read_u32(buf, at + 12)?,
        },
    ))
}

/// The family header (`size` bytes, e.g. struct ifinfomsg) of a message and the attributes after it.
pub fn fixed_and_attrs<'a>(
    frame: &Frame<'a>,
    size: usize,
    what: &str,
) -> Result<(&'a [u8], Vec<Attr<'a>>), DecodeError> {
    if frame.payload.len() < size {
        return Err(DecodeError::new(
            frame.payload_offset(),
            format!(
                "{what} message payload is {} bytes, shorter than its {size}-byte family header",
                frame.payload.len()
            ),
        ));
    }
    let (fixed, rest) = frame.payload.split_at(size);
    Ok((fixed, attr::parse(rest, frame.payload_offset() + size)?))
}

/// Splits a buffer of one or many messages, stepping by NLMSG_ALIGN(nlmsg_len)
/// as recv() results concatenate; the last message may end unpadded.
pub fn frames(buf: &[u8]) -> Result<Vec<Frame<'_>>, DecodeError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let Some((len, header)) = read_header(buf, at) else {
            return Err(DecodeError::new(
                at,
                format!(
                    "{} bytes left, too few for a 16-byte nlmsghdr",
                    buf.len() - at
                ),
            ));
        };
        let len = len as usize;
        if len < HEADER {
            return Err(DecodeError::new(
                at,
                format!("nlmsg_len {len} is shorter than the 16-byte nlmsghdr"),
            ));
        }
        if len > buf.len() - at {
            return Err(DecodeError::new(
                at,
                format!(
                    "nlmsg_len {len} runs past the end of the buffer ({} bytes left)",
                    buf.len() - at
                ),
            ));
        }
        out.push(Frame {
            header,
            payload: &buf[at + HEADER..at + len],
            offset: at,
        });
        at = at.saturating_add(align4(len)).min(buf.len());
    }
    Ok(out)
}

/// Reserves an nlmsghdr; `end` fills in its length once the body is written.
pub fn begin(buf: &mut Vec<u8>, header: Header) -> usize {
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    buf.extend_from_slice(&header.kind.to_le_bytes());
    buf.extend_from_slice(&header.flags.to_le_bytes());
    buf.extend_from_slice(&header.seq.to_le_bytes());
    buf.extend_from_slice(&header.pid.to_le_bytes());
    start
}

pub fn end(buf: &mut [u8], start: usize) -> Result<(), String> {
    let len =
        u32::try_from(buf.len() - start).map_err(|_| "message longer than 4 GiB".to_string())?;
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// The netlink header of a decoded message, its flags also as booleans.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "MessageHeader"))]
#[serde(rename_all = "camelCase")]
pub struct HeaderJson {
    /// nlmsg_type, e.g. 16 for RTM_NEWLINK.
    #[serde(rename = "type")]
    kind: u16,
    /// nlmsg_flags as the kernel sent them.
    flags: u16,
    seq: u32,
    pid: u32,
    /// NLM_F_MULTI: part of a multipart reply; more follows until NLMSG_DONE.
    multi: bool,
    /// NLM_F_DUMP_INTR: the dump was torn by a concurrent change; it must be retried.
    dump_intr: bool,
}

impl From<Header> for HeaderJson {
    fn from(h: Header) -> Self {
        HeaderJson {
            kind: h.kind,
            flags: h.flags,
            seq: h.seq,
            pid: h.pid,
            multi: h.flags & NLM_F_MULTI != 0,
            dump_intr: h.flags & NLM_F_DUMP_INTR != 0,
        }
    }
}

/// One decoded message.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Message {
    #[serde(flatten)]
    pub header: HeaderJson,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Body {
    Link {
        #[cfg_attr(test, ts(type = r#""RTM_NEWLINK" | "RTM_DELLINK""#))]
        name: &'static str,
        link: Link,
    },
    Address {
        #[cfg_attr(test, ts(type = r#""RTM_NEWADDR" | "RTM_DELADDR""#))]
        name: &'static str,
        address: Address,
    },
    Route {
        #[cfg_attr(test, ts(type = r#""RTM_NEWROUTE" | "RTM_DELROUTE""#))]
        name: &'static str,
        route: Route,
    },
    Neighbour {
        #[cfg_attr(test, ts(type = r#""RTM_NEWNEIGH" | "RTM_DELNEIGH""#))]
        name: &'static str,
        neighbour: Neighbour,
    },
    Nsid {
        #[cfg_attr(test, ts(type = r#""RTM_NEWNSID" | "RTM_DELNSID""#))]
        name: &'static str,
        #[serde(flatten)]
        nsid: Nsid,
    },
    Error(ErrorAck),
    Done(Done),
    Other {},
}

/// The kernel's name for a data message type this codec decodes.
fn type_name(kind: u16) -> &'static str {
    match kind {
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_DELLINK => "RTM_DELLINK",
        RTM_NEWADDR => "RTM_NEWADDR",
        RTM_DELADDR => "RTM_DELADDR",
        RTM_NEWROUTE => "RTM_NEWROUTE",
        RTM_DELROUTE => "RTM_DELROUTE",
        RTM_NEWNEIGH => "RTM_NEWNEIGH",
        RTM_DELNEIGH => "RTM_DELNEIGH",
        RTM_NEWNSID => "RTM_NEWNSID",
        RTM_DELNSID => "RTM_DELNSID",
        _ => "",
    }
}

/// Each decoder this calls is `#[inline(never)]`: V8 compiles a wasm function at its
/// first call, whole, so a process that reads only links (the CLI's `link list`) would
/// otherwise compile the address, route, neighbour and nsid decoders inlined here too
/// (~1.5 ms of CPU with the encoders' twin in request::push, measured; a call per
/// message costs nothing measurable).
fn decode_frame(frame: &Frame) -> Result<Body, DecodeError> {
    let name = type_name(frame.header.kind);
    Ok(match frame.header.kind {
        RTM_NEWLINK | RTM_DELLINK => Body::Link {
            name,
            link: decode_link(frame)?,
        },
        RTM_NEWADDR | RTM_DELADDR => Body::Address {
            name,
            address: decode_address(frame)?,
        },
        RTM_NEWROUTE | RTM_DELROUTE => Body::Route {
            name,
            route: decode_route(frame)?,
        },
        RTM_NEWNEIGH | RTM_DELNEIGH => Body::Neighbour {
            name,
            neighbour: decode_neighbour(frame)?,
        },
        RTM_NEWNSID | RTM_DELNSID => Body::Nsid {
            name,
            nsid: decode_nsid(frame)?,
        },
        NLMSG_ERROR => Body::Error(decode_error(frame)?),
        NLMSG_DONE => Body::Done(decode_done(frame)?),
        _ => Body::Other {},
    })
}

pub fn decode_messages(buf: &[u8]) -> Result<Vec<Message>, DecodeError> {
    frames(buf)?
        .iter()
        .map(|frame| {
            Ok(Message {
                header: frame.header.into(),
                body: decode_frame(frame)?,
            })
        })
        .collect()
}

/// A link message of `decode_link_heads`, read only as far as its LinkHead.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LinkHeadMessage {
    #[serde(flatten)]
    pub header: HeaderJson,
    #[cfg_attr(test, ts(type = r#""linkHead""#))]
    kind: &'static str,
    #[cfg_attr(test, ts(type = r#""RTM_NEWLINK" | "RTM_DELLINK""#))]
    name: &'static str,
    head: LinkHead,
}

/// One message of `decode_link_heads`: a link's head, or any other message whole.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum HeadsMessage {
    Head(LinkHeadMessage),
    Whole(Message),
}

/// `decode_messages`, with each link message read only as far as its LinkHead.
pub fn decode_link_heads(buf: &[u8]) -> Result<Vec<HeadsMessage>, DecodeError> {
    frames(buf)?
        .iter()
        .map(|frame| {
            Ok(match frame.header.kind {
                RTM_NEWLINK | RTM_DELLINK => HeadsMessage::Head(LinkHeadMessage {
                    header: frame.header.into(),
                    kind: "linkHead",
                    name: type_name(frame.header.kind),
                    head: decode_link_head(frame)?,
                }),
                _ => HeadsMessage::Whole(Message {
                    header: frame.header.into(),
                    body: decode_frame(frame)?,
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, flags: u16, payload: &[u8]) -> Vec<u8> {
        let mut buf = Vec::new();
        let start = begin(
            &mut buf,
            Header {
                kind,
                flags,
                seq: 7,
                pid: 9,
            },
        );
        buf.extend_from_slice(payload);
        end(&mut buf, start).unwrap();
        buf
    }

    #[test]
    fn frames_step_by_aligned_length() {
        let mut buf = message(1, 0, &[1]);
        buf.extend_from_slice(&[0; 3]);
        buf.extend(message(4, NLM_F_MULTI, &[]));
        let frames = frames(&buf).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(
            (frames[0].payload, frames[1].offset, frames[1].header.kind),
            (&[1u8][..], 20, 4)
        );
    }

    #[test]
    fn header_flags_become_booleans() {
        let json = serde_json::to_value(
            decode_messages(&message(1, NLM_F_MULTI | NLM_F_DUMP_INTR, &[])).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!([{ "type": 1, "flags": 0x12, "seq": 7, "pid": 9, "multi": true, "dumpIntr": true, "kind": "other" }])
        );
    }

    #[test]
    fn attribute_errors_point_into_the_whole_buffer() {
        // A second message whose attributes, after a 4-byte family header, start with a 2-byte stub.
        let mut buf = message(1, 0, &[]);
        buf.extend(message(1, 0, &[0, 0, 0, 0, 9, 0]));
        let second = frames(&buf).unwrap()[1];
        let err = fixed_and_attrs(&second, 4, "test").unwrap_err();
        assert_eq!(err.offset, 16 + 16 + 4);
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert!(frames(&[0; 15]).unwrap_err().what.contains("too few"));
        let mut short = message(1, 0, &[]);
        short[0] = 8;
        assert!(frames(&short).unwrap_err().what.contains("shorter"));
        let mut long = message(1, 0, &[]);
        long.extend(message(1, 0, &[]));
        long[16] = 40;
        assert_eq!(frames(&long).unwrap_err().offset, 16);
    }
}
