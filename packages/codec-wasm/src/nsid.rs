//! Namespace ids: struct rtgenmsg (one byte, padded to four) followed by
//! NETNSA_* attributes. An nsid is the number one namespace gives another;
//! RTM_NEWNSID / RTM_DELNSID are also the notifications of the RTNLGRP_NSID
//! group. Requests are laid out as iproute2 6.1's `ip netns set NAME auto`
//! (RTM_NEWNSID) and `ip netns list` (RTM_GETNSID) send them.

use serde::Serialize;

use crate::attr::read_optional;
use crate::encode::{message, put, put_nsid, put_u32, Head, Result};
use crate::fault::{DecodeError, EncodeError};
use crate::message::{fixed_and_attrs, Frame};
use crate::message::{NLM_F_ACK, NLM_F_DUMP};
use crate::wire::read_i32;

pub const RTM_NEWNSID: u16 = 88;
pub const RTM_DELNSID: u16 = 89;
const RTM_GETNSID: u16 = 90;
/// struct rtgenmsg is one byte; NLMSG_ALIGN puts the attributes at 4.
const RTGENMSG: usize = 4;

const NETNSA_NSID: u16 = 1;
const NETNSA_FD: u16 = 3;
const NETNSA_TARGET_NSID: u16 = 4;
const NETNSA_CURRENT_NSID: u16 = 5;
/// NETNSA_NSID_NOT_ASSIGNED: in a request, "choose one" (`ip netns set NAME auto`).
const NSID_AUTO: i32 = -1;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Nsid {
    /// NETNSA_NSID: the id; -1 when the namespace has none in the asking one.
    nsid: Option<i32>,
    /// NETNSA_CURRENT_NSID, in replies to a dump with a target: the asking
    /// namespace's own id for the same namespace (-1: it gave none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    current_nsid: Option<i32>,
}

fn nsid_attr(a: &crate::attr::Attr) -> std::result::Result<i32, DecodeError> {
    read_i32(a.payload, 0)
        .ok_or_else(|| DecodeError::new(a.offset, "NETNSA_NSID is shorter than 4 bytes"))
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_nsid(frame: &Frame) -> std::result::Result<Nsid, DecodeError> {
    let (_, attrs) = fixed_and_attrs(frame, RTGENMSG, "nsid")?;
    Ok(Nsid {
        nsid: read_optional(&attrs, NETNSA_NSID, nsid_attr)?,
        current_nsid: read_optional(&attrs, NETNSA_CURRENT_NSID, nsid_attr)?,
    })
}

fn ns_fd(fd: u32) -> Result<u32> {
    i32::try_from(fd)
        .map(|_| fd)
        .map_err(|_| EncodeError::new("nsFd", "must be a descriptor (0 to 2147483647)"))
}

/// RTM_NEWNSID with NLM_F_ACK: gives the namespace open as `fd` the id `nsid` (absent: the kernel picks one).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_new_nsid(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    fd: u32,
    nsid: Option<i32>,
) -> Result<()> {
    let fd = ns_fd(fd)?;
    if nsid.is_some_and(|n| n < 0) {
        return Err(EncodeError::new(
            "nsid",
            "must be 0 or more (omit it to let the kernel choose)",
        ));
    }
    message(
        buf,
        Head {
            kind: RTM_NEWNSID,
            seq,
            pid,
        },
        NLM_F_ACK,
        &[0; RTGENMSG],
        |buf| {
            put_u32(buf, NETNSA_FD, fd)?;
            put(buf, NETNSA_NSID, &nsid.unwrap_or(NSID_AUTO).to_le_bytes())
        },
    )
}

/// RTM_GETNSID for the namespace open as `fd`: one RTM_NEWNSID reply, no ACK (as iproute2 sends it).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_nsid(buf: &mut Vec<u8>, seq: u32, pid: u32, fd: u32) -> Result<()> {
    let fd = ns_fd(fd)?;
    push_get(buf, seq, pid, 0, |buf| put_u32(buf, NETNSA_FD, fd))
}

/// An RTM_GETNSID: struct rtgenmsg, then the attribute that says what is asked.
fn push_get(
    buf: &mut Vec<u8>,
    seq: u32,
    pid: u32,
    flags: u16,
    attr: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let head = Head {
        kind: RTM_GETNSID,
        seq,
        pid,
    };
    message(buf, head, flags, &[0; RTGENMSG], attr)
}

/// RTM_GETNSID dump with NETNSA_TARGET_NSID, as `ip netns list-id target-nsid N` sends it.
/// The kernel reads the target only on a socket with NETLINK_GET_STRICT_CHK set (as iproute2's is);
/// on another it silently lists the asking namespace's own ids.
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_nsid_dump(buf: &mut Vec<u8>, seq: u32, pid: u32, target_nsid: i32) -> Result<()> {
    push_get(buf, seq, pid, NLM_F_DUMP, |buf| {
        put_nsid(buf, NETNSA_TARGET_NSID, target_nsid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_fields_are_named() {
        let mut buf = Vec::new();
        assert_eq!(
            push_new_nsid(&mut buf, 1, 0, 3, Some(-2)).unwrap_err().path,
            "nsid"
        );
        assert_eq!(
            push_get_nsid(&mut buf, 1, 0, u32::MAX).unwrap_err().path,
            "nsFd"
        );
        // -1 is "no id" in a reply: as a target it would name no namespace.
        assert_eq!(
            push_get_nsid_dump(&mut buf, 1, 0, -1).unwrap_err().path,
            "targetNsid"
        );
    }

    #[test]
    fn zero_is_an_nsid() {
        // The first id a namespace gives is 0: a target like any other, as `ip netns list-id target-nsid 0` sends it.
        let mut buf = Vec::new();
        push_get_nsid_dump(&mut buf, 1, 0, 0).unwrap();
        assert_eq!(&buf[buf.len() - 8..], &[8, 0, 4, 0, 0, 0, 0, 0]);
    }
}
