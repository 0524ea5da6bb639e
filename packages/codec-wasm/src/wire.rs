//! Byte-level helpers shared by every module.
//!
//! Netlink is in host byte order. Every host this codec runs on (x86-64 and
//! aarch64 Linux, and wasm32 itself) is little-endian, so the codec reads and
//! writes little-endian explicitly rather than depending on the build target.

/// NLMSG_ALIGN / RTA_ALIGN: both round up to 4 bytes. Saturating, because on
/// wasm32 a hostile u32 length plus 3 would otherwise wrap to a small offset.
pub fn align4(len: usize) -> usize {
    len.saturating_add(3) & !3
}

pub fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

pub fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

pub fn read_i32(buf: &[u8], at: usize) -> Option<i32> {
    read_u32(buf, at).map(|v| v as i32)
}

/// Pads `buf` with zeros up to the next 4-byte boundary.
pub fn pad4(buf: &mut Vec<u8>) {
    buf.resize(align4(buf.len()), 0);
}

/// A C string attribute: the kernel NUL-terminates, iproute2 sometimes does not.
/// Lossy because names and aliases are bytes to the kernel, not UTF-8.
pub fn c_string(payload: &[u8]) -> String {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    String::from_utf8_lossy(&payload[..end]).into_owned()
}

pub fn to_hex(bytes: &[u8], separator: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * (2 + separator.len()));
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Parses contiguous hex (either case); the error names the first bad character.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    digits
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            let nibble = |at: usize| {
                (pair[at] as char).to_digit(16).ok_or_else(|| {
                    format!(
                        "'{}' at character {} is not hex",
                        pair[at] as char,
                        2 * i + at
                    )
                })
            };
            Ok((nibble(0)? << 4 | nibble(1)?) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align4_rounds_up() {
        assert_eq!([0, 1, 3, 4, 5, 8].map(align4), [0, 4, 4, 4, 8, 8]);
        assert!(align4(usize::MAX) > usize::MAX - 4);
    }

    #[test]
    fn hex_round_trips_and_names_bad_input() {
        assert_eq!(from_hex("00ffA0").unwrap(), [0, 255, 160]);
        assert_eq!(to_hex(&[0, 255, 160], ":"), "00:ff:a0");
        assert!(from_hex("abc").unwrap_err().contains("odd"));
        assert!(from_hex("0g").unwrap_err().contains("character 1"));
    }

    #[test]
    fn c_string_stops_at_nul() {
        assert_eq!(c_string(b"lo\0\0"), "lo");
        assert_eq!(c_string(b"dummy"), "dummy");
    }
}
