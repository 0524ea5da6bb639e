//! rtattr / nlattr: 4-byte header (u16 length including the header, u16 type),
//! payload, zero padding to 4 bytes. Nested attributes are attributes whose
//! payload is itself a run of attributes.

use crate::fault::DecodeError;
use crate::wire::{align4, c_string, pad4, read_u16, read_u32};

/// NLA_F_NESTED: newer kernels mark nests with it, so a nest is recognisable without a schema.
pub const NLA_F_NESTED: u16 = 0x8000;
/// Drops NLA_F_NESTED and NLA_F_NET_BYTEORDER to get the attribute's number.
const NLA_TYPE_MASK: u16 = 0x3fff;
const HEADER: usize = 4;

#[derive(Debug, Clone, Copy)]
pub struct Attr<'a> {
    /// rta_type as sent, flag bits included.
    pub kind: u16,
    pub payload: &'a [u8],
    /// Absolute offset of the attribute's header in the decoded buffer.
    pub offset: usize,
}

impl<'a> Attr<'a> {
    pub fn id(&self) -> u16 {
        self.kind & NLA_TYPE_MASK
    }

    fn sized(&self, size: usize) -> Result<&'a [u8], DecodeError> {
        if self.payload.len() >= size {
            Ok(self.payload)
        } else {
            Err(DecodeError::new(
                self.offset,
                format!(
                    "attribute {} has {} payload bytes, expected at least {size}",
                    self.id(),
                    self.payload.len()
                ),
            ))
        }
    }

    pub fn u8(&self) -> Result<u8, DecodeError> {
        Ok(self.sized(1)?[0])
    }

    pub fn u32(&self) -> Result<u32, DecodeError> {
        Ok(read_u32(self.sized(4)?, 0).unwrap_or_default())
    }

    pub fn string(&self) -> String {
        c_string(self.payload)
    }

    /// The attributes nested in this one.
    pub fn nested(&self) -> Result<Vec<Attr<'a>>, DecodeError> {
        parse(self.payload, self.offset + HEADER)
    }
}

/// Splits `buf` (found at absolute offset `base`) into attributes. Like the
/// kernel's nla_ok, the last attribute may end without its padding.
pub fn parse(buf: &[u8], base: usize) -> Result<Vec<Attr<'_>>, DecodeError> {
    let mut attrs = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let offset = base + at;
        let (Some(len), Some(kind)) = (read_u16(buf, at), read_u16(buf, at + 2)) else {
            return Err(DecodeError::new(
                offset,
                format!(
                    "{} trailing bytes are too few for an attribute header",
                    buf.len() - at
                ),
            ));
        };
        let len = usize::from(len);
        if len < HEADER {
            return Err(DecodeError::new(
                offset,
                format!("attribute length {len} is shorter than its 4-byte header"),
            ));
        }
        if len > buf.len() - at {
            return Err(DecodeError::new(
                offset,
                format!(
                    "attribute length {len} runs past the end of its container ({} bytes left)",
                    buf.len() - at
                ),
            ));
        }
        attrs.push(Attr {
            kind,
            payload: &buf[at + HEADER..at + len],
            offset,
        });
        at = (at + align4(len)).min(buf.len());
    }
    Ok(attrs)
}

/// Whether `buf` is exactly what `push` would write for the attributes in it:
/// each one padded with zeros, the last one's padding included.
pub fn is_canonical(buf: &[u8]) -> bool {
    let mut at = 0;
    while at < buf.len() {
        let len = usize::from(read_u16(buf, at).unwrap_or_default());
        if len < HEADER
            || align4(len) > buf.len() - at
            || buf[at + len..at + align4(len)].iter().any(|&b| b != 0)
        {
            return false;
        }
        at += align4(len);
    }
    true
}

/// The first attribute numbered `id`.
pub fn find<'a, 'b>(attrs: &'b [Attr<'a>], id: u16) -> Option<&'b Attr<'a>> {
    attrs.iter().find(|a| a.id() == id)
}

/// Reads the first attribute numbered `id` with `read`, if there is one.
pub fn read_optional<'a, T>(
    attrs: &[Attr<'a>],
    id: u16,
    read: impl Fn(&Attr<'a>) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    find(attrs, id).map(read).transpose()
}

/// Reserves an attribute header; `end` fills it in once the payload is written.
pub fn begin(buf: &mut Vec<u8>) -> usize {
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER]);
    start
}

/// Writes the header reserved at `start` and pads. A nest's length includes
/// its children's padding, as the kernel and iproute2 both write it.
pub fn end(buf: &mut Vec<u8>, start: usize, kind: u16) -> Result<(), String> {
    let len = u16::try_from(buf.len() - start).map_err(|_| {
        format!(
            "attribute {kind} would be {} bytes, more than 65535",
            buf.len() - start
        )
    })?;
    buf[start..start + 2].copy_from_slice(&len.to_le_bytes());
    buf[start + 2..start + 4].copy_from_slice(&kind.to_le_bytes());
    pad4(buf);
    Ok(())
}

pub fn push(buf: &mut Vec<u8>, kind: u16, payload: &[u8]) -> Result<(), String> {
    let start = begin(buf);
    buf.extend_from_slice(payload);
    end(buf, start, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_payload_but_not_length() {
        let mut buf = Vec::new();
        push(&mut buf, 3, b"lo\0").unwrap();
        push(&mut buf, 4, &1500u32.to_le_bytes()).unwrap();
        assert_eq!(
            buf,
            [7, 0, 3, 0, b'l', b'o', 0, 0, 8, 0, 4, 0, 0xdc, 0x05, 0, 0]
        );
        let attrs = parse(&buf, 100).unwrap();
        assert_eq!(attrs.len(), 2);
        assert_eq!(
            (attrs[0].string(), attrs[0].offset),
            ("lo".to_string(), 100)
        );
        assert_eq!((attrs[1].u32().unwrap(), attrs[1].offset), (1500, 108));
    }

    #[test]
    fn nest_length_covers_padded_children() {
        let mut buf = Vec::new();
        let nest = begin(&mut buf);
        push(&mut buf, 1, b"dummy").unwrap();
        end(&mut buf, nest, 18 | NLA_F_NESTED).unwrap();
        assert_eq!(&buf[..4], [16, 0, 18, 0x80]);
        let outer = parse(&buf, 0).unwrap();
        assert_eq!(outer[0].id(), 18);
        let inner = outer[0].nested().unwrap();
        assert_eq!(
            (inner[0].string(), inner[0].offset),
            ("dummy".to_string(), 4)
        );
    }

    #[test]
    fn last_attribute_may_omit_its_padding() {
        let attrs = parse(&[5, 0, 1, 0, 7], 0).unwrap();
        assert_eq!(attrs[0].payload, [7]);
    }

    #[test]
    fn parsing_steps_forward_and_ends() {
        // Run apart, so a loop that stops advancing fails this test instead of hanging the suite.
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let buf = [5, 0, 1, 0, 7, 0, 0, 0, 4, 0, 2, 0];
            let parsed = parse(&buf, 0).map(|attrs| attrs.len());
            done.send((parsed, is_canonical(&buf))).unwrap();
        });
        let outcome = wait.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(outcome, Ok((Ok(2), true)));
    }

    #[test]
    fn canonical_means_zero_padding_included() {
        // A second attribute whose padding would run past the end.
        assert!(!is_canonical(&[4, 0, 1, 0, 5, 0, 1, 0, 7]));
        assert!(is_canonical(&[5, 0, 1, 0, 7, 0, 0, 0, 4, 0, 2, 0]));
        assert!(!is_canonical(&[5, 0, 1, 0, 7]));
        assert!(!is_canonical(&[5, 0, 1, 0, 7, 1, 0, 0]));
        assert!(!is_canonical(&[4, 0, 1, 0, 0]));
    }

    #[test]
    fn malformed_lengths_are_errors_with_offsets() {
        assert_eq!(
            parse(&[8, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0], 10)
                .unwrap_err()
                .offset,
            18
        );
        assert!(parse(&[2, 0, 1, 0], 0)
            .unwrap_err()
            .what
            .contains("shorter"));
        assert!(parse(&[9, 0, 1, 0, 0, 0, 0, 0], 0)
            .unwrap_err()
            .what
            .contains("past the end"));
        // The same for an attribute that does not start the buffer.
        let second = parse(&[4, 0, 1, 0, 9, 0, 1, 0, 0, 0, 0, 0], 10).unwrap_err();
        assert_eq!(second.offset, 14);
        assert!(second.what.contains("past the end"));
        assert!(parse(&[4, 0, 1, 0, 0], 0)
            .unwrap_err()
            .what
            .contains("trailing"));
    }

    #[test]
    fn short_fixed_payload_is_an_error() {
        let attrs = parse(&[6, 0, 4, 0, 1, 2], 0).unwrap();
        assert!(attrs[0]
            .u32()
            .unwrap_err()
            .what
            .contains("expected at least 4"));
    }

    #[test]
    fn oversized_attribute_is_refused() {
        assert!(push(&mut Vec::new(), 1, &[0; 65532])
            .unwrap_err()
            .contains("65535"));
    }
}
