//! Text to wire bytes for the addresses requests carry, and back for decoded
//! messages. Errors say what is wrong; the caller adds the field's path.

use std::net::{Ipv4Addr, Ipv6Addr};

pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;

/// An IP address in network byte order, with its address family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ip {
    pub family: u8,
    pub bytes: Vec<u8>,
}

impl Ip {
    /// The longest prefix this family allows (32 or 128).
    pub fn max_prefix(&self) -> u8 {
        (self.bytes.len() * 8) as u8
    }
}

/// "10.0.0.1" or "2001:db8::1" (std's parsers: no zone ids, no prefixes, no leading zeros in IPv4).
pub fn parse_ip(text: &str) -> Result<Ip, String> {
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        return Ok(Ip {
            family: AF_INET,
            bytes: v4.octets().to_vec(),
        });
    }
    text.parse::<Ipv6Addr>()
        .map(|v6| Ip {
            family: AF_INET6,
            bytes: v6.octets().to_vec(),
        })
        .map_err(|_| format!("{text:?} is not an IPv4 or IPv6 address"))
}

/// Six colon-separated hex pairs, e.g. "02:00:00:00:00:01" (either case).
pub fn parse_mac(text: &str) -> Result<[u8; 6], String> {
    let bad = || format!("{text:?} is not a MAC address like 02:00:00:00:00:01");
    let mut mac = [0; 6];
    let mut parts = text.split(':');
    for byte in &mut mac {
        let part = parts.next().ok_or_else(bad)?;
        // from_str_radix alone would take "+1".
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
    }
    match parts.next() {
        Some(_) => Err(bad()),
        None => Ok(mac),
    }
}

/// Formats an address attribute as iproute2 prints it (IPv6 compressed per RFC 5952, as inet_ntop does).
/// None for a length that fits neither family: the caller decides whether that is an error.
pub fn format_ip(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?).to_string()),
        16 => Some(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_string()),
        _ => None,
    }
}

/// An address attribute of a decoded message: an IP address as text, or
/// colon hex for a length that is neither (another family's address).
pub fn display_ip(bytes: &[u8]) -> String {
    format_ip(bytes).unwrap_or_else(|| crate::wire::to_hex(bytes, ":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_families() {
        assert_eq!(parse_ip("10.1.2.3").unwrap().bytes, [10, 1, 2, 3]);
        let v6 = parse_ip("2001:db8::1").unwrap();
        assert_eq!((v6.family, v6.max_prefix()), (AF_INET6, 128));
        assert_eq!(v6.bytes[..4], [0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(v6.bytes[15], 1);
    }

    #[test]
    fn bad_ips_are_errors() {
        for bad in [
            "",
            "10.1.2",
            "10.1.2.256",
            "10.1.2.3/24",
            "2001:db8:::1",
            "fe80::1%eth0",
            " 10.0.0.1",
            "010.0.0.1",
        ] {
            assert!(
                parse_ip(bad).unwrap_err().contains("not an IPv4 or IPv6"),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_macs_in_either_case() {
        assert_eq!(
            parse_mac("02:00:0A:0b:00:01").unwrap(),
            [2, 0, 10, 11, 0, 1]
        );
    }

    #[test]
    fn bad_macs_are_errors() {
        for bad in [
            "",
            "02:00:00:00:00",
            "02:00:00:00:00:01:02",
            "2:00:00:00:00:01",
            "02-00-00-00-00-01",
            "02:00:00:00:00:0g",
            "02:00:00:00:00:+1",
        ] {
            assert!(parse_mac(bad).unwrap_err().contains("not a MAC"), "{bad}");
        }
    }

    #[test]
    fn formats_like_inet_ntop() {
        assert_eq!(format_ip(&[10, 0, 0, 1]).unwrap(), "10.0.0.1");
        let mut v6 = [0u8; 16];
        v6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        v6[15] = 1;
        assert_eq!(format_ip(&v6).unwrap(), "2001:db8::1");
        assert_eq!(format_ip(&[1, 2, 3]), None);
    }
}
