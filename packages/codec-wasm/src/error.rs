//! NLMSG_ERROR and NLMSG_DONE, with the kernel's extended ACK (NETLINK_EXT_ACK).
//!
//! NLMSG_ERROR's payload is struct nlmsgerr: an int error (negative errno, 0
//! for an ACK) and the echoed request, whole unless NLM_F_CAPPED says only its
//! header was kept. With NLM_F_ACK_TLVS, NLMSGERR_ATTR_* attributes follow.
//! NLMSG_DONE carries only the int, and may carry the same attributes.

use serde::Serialize;

use crate::attr::{self, find, Attr};
use crate::fault::DecodeError;
use crate::message::{read_header, Frame, Header, HEADER, NLMSG_DONE, NLMSG_ERROR};
use crate::wire::{align4, read_i32};

const NLM_F_CAPPED: u16 = 0x100;
const NLM_F_ACK_TLVS: u16 = 0x200;
const NLMSGERR_ATTR_MSG: u16 = 1;
const NLMSGERR_ATTR_OFFS: u16 = 2;
const ERROR_INT: usize = 4;

/// NLMSG_ERROR. errno 0 is an acknowledgement.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ErrorAck {
    /// Positive errno (the kernel sends it negated); 0 for an ACK.
    errno: i64,
    /// NLMSGERR_ATTR_MSG: the kernel's extended-ACK text, if it gave one.
    ext_ack_message: Option<String>,
    /// NLMSGERR_ATTR_OFFS: byte offset into the request of the attribute at fault.
    ext_ack_offset: Option<u32>,
    /// Sequence number of the request this answers (from the echoed header).
    request_seq: u32,
}

/// NLMSG_DONE: the end of a dump. errno is non-zero if the dump itself failed.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Done {
    errno: i64,
    ext_ack_message: Option<String>,
}

/// The echoed request's nlmsg_len and header.
fn echoed(frame: &Frame) -> Result<(u32, Header), DecodeError> {
    read_header(frame.payload, ERROR_INT).ok_or_else(|| {
        DecodeError::new(
            frame.payload_offset(),
            format!(
                "NLMSG_ERROR payload is {} bytes, too short for an error and the echoed header",
                frame.payload.len()
            ),
        )
    })
}

/// Where the extended-ACK attributes of an NLMSG_ERROR or NLMSG_DONE begin in
/// its payload, or None if the message has none (or is of another type).
pub fn ext_ack_start(frame: &Frame) -> Result<Option<usize>, DecodeError> {
    if frame.header.flags & NLM_F_ACK_TLVS == 0 {
        return Ok(None);
    }
    let start = match frame.header.kind {
        NLMSG_ERROR if frame.header.flags & NLM_F_CAPPED != 0 => ERROR_INT + HEADER,
        NLMSG_ERROR => ERROR_INT.saturating_add(echoed(frame)?.0 as usize),
        // Old kernels and some families end a dump with an empty NLMSG_DONE: no room for attributes.
        NLMSG_DONE if frame.payload.len() >= ERROR_INT => ERROR_INT,
        _ => return Ok(None),
    };
    // Attributes start at the next 4-byte boundary after the echoed request.
    if align4(start) <= frame.payload.len() {
        Ok(Some(align4(start)))
    } else {
        Err(DecodeError::new(
            frame.payload_offset() + ERROR_INT,
            format!(
                "extended-ACK attributes would start at byte {start} of a {}-byte payload",
                frame.payload.len()
            ),
        ))
    }
}

fn ext_ack_attrs<'a>(frame: &Frame<'a>) -> Result<Vec<Attr<'a>>, DecodeError> {
    match ext_ack_start(frame)? {
        Some(start) => attr::parse(&frame.payload[start..], frame.payload_offset() + start),
        None => Ok(Vec::new()),
    }
}

/// The kernel sends -errno; an i64 keeps a hostile i32::MIN from overflowing.
fn errno(frame: &Frame) -> i64 {
    -i64::from(read_i32(frame.payload, 0).unwrap_or_default())
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_error(frame: &Frame) -> Result<ErrorAck, DecodeError> {
    let attrs = ext_ack_attrs(frame)?;
    let (_, request) = echoed(frame)?;
    Ok(ErrorAck {
        errno: errno(frame),
        ext_ack_message: find(&attrs, NLMSGERR_ATTR_MSG).map(Attr::string),
        ext_ack_offset: find(&attrs, NLMSGERR_ATTR_OFFS)
            .map(Attr::u32)
            .transpose()?,
        request_seq: request.seq,
    })
}

/// An empty NLMSG_DONE (older kernels) reads as errno 0.
#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_done(frame: &Frame) -> Result<Done, DecodeError> {
    let attrs = ext_ack_attrs(frame)?;
    Ok(Done {
        errno: errno(frame),
        ext_ack_message: find(&attrs, NLMSGERR_ATTR_MSG).map(Attr::string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{begin, end, frames};

    /// An NLMSG_ERROR echoing a `request_len`-byte request, followed by `tlvs`.
    fn error_message(flags: u16, request_len: u32, tlvs: &[u8]) -> Vec<u8> {
        let mut buf = Vec::new();
        let start = begin(
            &mut buf,
            Header {
                kind: NLMSG_ERROR,
                flags,
                seq: 1,
                pid: 2,
            },
        );
        buf.extend_from_slice(&(-22i32).to_le_bytes());
        begin(
            &mut buf,
            Header {
                kind: 16,
                flags: 5,
                seq: 42,
                pid: 0,
            },
        );
        buf[start + 20..start + 24].copy_from_slice(&request_len.to_le_bytes());
        buf.resize(start + 20 + request_len as usize, 0xaa);
        crate::wire::pad4(&mut buf);
        buf.extend_from_slice(tlvs);
        end(&mut buf, start).unwrap();
        buf
    }

    /// An NLMSG_DONE with `payload` (its error int, then any attributes).
    fn done_message(flags: u16, payload: &[u8]) -> Vec<u8> {
        let mut buf = Vec::new();
        let start = begin(
            &mut buf,
            Header {
                kind: NLMSG_DONE,
                flags,
                seq: 1,
                pid: 2,
            },
        );
        buf.extend_from_slice(payload);
        end(&mut buf, start).unwrap();
        buf
    }

    fn tlvs() -> Vec<u8> {
        let mut buf = Vec::new();
        attr::push(&mut buf, NLMSGERR_ATTR_MSG, b"bad\0").unwrap();
        attr::push(&mut buf, NLMSGERR_ATTR_OFFS, &36u32.to_le_bytes()).unwrap();
        buf
    }

    #[test]
    fn ext_ack_follows_the_aligned_echoed_request() {
        let buf = error_message(NLM_F_ACK_TLVS, 38, &tlvs());
        let error = decode_error(&frames(&buf).unwrap()[0]).unwrap();
        assert_eq!((error.errno, error.request_seq), (22, 42));
        assert_eq!(
            (error.ext_ack_message.as_deref(), error.ext_ack_offset),
            (Some("bad"), Some(36))
        );
    }

    #[test]
    fn capped_error_has_only_the_echoed_header() {
        let buf = error_message(NLM_F_ACK_TLVS | NLM_F_CAPPED, 16, &tlvs());
        let error = decode_error(&frames(&buf).unwrap()[0]).unwrap();
        assert_eq!(error.ext_ack_offset, Some(36));
    }

    #[test]
    fn echoed_length_past_the_payload_is_an_error() {
        let mut buf = error_message(NLM_F_ACK_TLVS, 16, &tlvs());
        buf[20] = 200;
        assert_eq!(
            decode_error(&frames(&buf).unwrap()[0]).unwrap_err().offset,
            20
        );
    }

    #[test]
    fn attributes_without_the_ack_tlvs_flag_are_not_read() {
        let buf = error_message(0, 20, &tlvs());
        let error = decode_error(&frames(&buf).unwrap()[0]).unwrap();
        assert_eq!((error.ext_ack_message, error.ext_ack_offset), (None, None));
    }

    #[test]
    fn ack_tlvs_flag_without_attributes_is_no_ext_ack() {
        // The attributes would start exactly at the end of the payload: there are none.
        let buf = error_message(NLM_F_ACK_TLVS, 18, &[]);
        let error = decode_error(&frames(&buf).unwrap()[0]).unwrap();
        assert_eq!((error.ext_ack_message, error.ext_ack_offset), (None, None));
        let capped = error_message(NLM_F_ACK_TLVS | NLM_F_CAPPED, 16, &[]);
        assert!(decode_error(&frames(&capped).unwrap()[0]).is_ok());
    }

    #[test]
    fn a_bad_ext_ack_attribute_is_reported_at_its_absolute_offset() {
        // A 2-byte attribute header after the 40-byte message header, error int and echoed 20-byte request.
        let buf = error_message(NLM_F_ACK_TLVS, 20, &[9, 0, 1, 0]);
        let err = decode_error(&frames(&buf).unwrap()[0]).unwrap_err();
        assert_eq!(err.offset, 16 + 4 + 20);
        let capped = error_message(NLM_F_ACK_TLVS | NLM_F_CAPPED, 16, &[9, 0, 1, 0]);
        let err = decode_error(&frames(&capped).unwrap()[0]).unwrap_err();
        assert_eq!(err.offset, 16 + 4 + 16);
    }

    #[test]
    fn done_with_ack_tlvs_needs_room_for_its_error_int() {
        for payload in [&[][..], &[0, 0, 0, 0]] {
            let buf = done_message(2 | NLM_F_ACK_TLVS, payload);
            let done = decode_done(&frames(&buf).unwrap()[0]).unwrap();
            assert_eq!((done.errno, done.ext_ack_message), (0, None));
        }
    }

    #[test]
    fn done_may_carry_an_ext_ack_message() {
        let mut payload = (-16i32).to_le_bytes().to_vec();
        attr::push(&mut payload, NLMSGERR_ATTR_MSG, b"busy\0").unwrap();
        let buf = done_message(2 | NLM_F_ACK_TLVS, &payload);
        let done = decode_done(&frames(&buf).unwrap()[0]).unwrap();
        assert_eq!(
            (done.errno, done.ext_ack_message.as_deref()),
            (16, Some("busy"))
        );
    }

    #[test]
    fn empty_done_is_errno_zero() {
        let buf = done_message(2, &[]);
        assert_eq!(decode_done(&frames(&buf).unwrap()[0]).unwrap().errno, 0);
    }
}
