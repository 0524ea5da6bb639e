//! What every request encoder shares: the nlmsghdr + family header frame,
//! attribute and nest writers, and the field checks whose errors name the
//! field (a path relative to the request; request.rs prefixes `requests[i].`).

use crate::attr;
use crate::fault::EncodeError;
use crate::ip::{parse_ip, parse_mac, Ip};
use crate::limits::{ALIAS_MAX_BYTES, IFNAME_MAX_BYTES, INDEX_MAX, INDEX_MIN, MTU_MAX, MTU_MIN};
use crate::message::{self, Header, NLM_F_ACK, NLM_F_ADD, NLM_F_ADD_OR_REPLACE, NLM_F_REQUEST};

pub type Result<T> = std::result::Result<T, EncodeError>;

/// The header fields every request has.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    pub kind: u16,
    pub seq: u32,
    pub pid: u32,
}

/// Writes one message: nlmsghdr with NLM_F_REQUEST | `flags`, the family header `fixed`, then what `attrs` writes.
pub fn message(
    buf: &mut Vec<u8>,
    head: Head,
    flags: u16,
    fixed: &[u8],
    attrs: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let start = message::begin(
        buf,
        Header {
            kind: head.kind,
            flags: NLM_F_REQUEST | flags,
            seq: head.seq,
            pid: head.pid,
        },
    );
    buf.extend_from_slice(fixed);
    attrs(buf)?;
    message::end(buf, start).map_err(|e| EncodeError::new("", e))
}

pub fn put(buf: &mut Vec<u8>, kind: u16, payload: &[u8]) -> Result<()> {
    attr::push(buf, kind, payload).map_err(|e| EncodeError::new("", e))
}

pub fn put_u32(buf: &mut Vec<u8>, kind: u16, value: u32) -> Result<()> {
    put(buf, kind, &value.to_le_bytes())
}

/// An s32 nsid naming the namespace to act on (IFLA_TARGET_NETNSID and its
/// kin): only an id the asking namespace gave, never "unassigned" (-1).
pub fn put_nsid(buf: &mut Vec<u8>, kind: u16, nsid: i32) -> Result<()> {
    if nsid < 0 {
        return Err(EncodeError::new(
            "targetNsid",
            "must be an nsid (0 or more) the asking namespace gave",
        ));
    }
    put(buf, kind, &nsid.to_le_bytes())
}

/// A NUL-terminated string attribute (IFLA_IFNAME and most others).
pub fn put_cstr(buf: &mut Vec<u8>, kind: u16, text: &str) -> Result<()> {
    put(buf, kind, &[text.as_bytes(), &[0]].concat())
}

/// A nest without NLA_F_NESTED: iproute2's addattr_nest does not set it, and the kernel does not need it.
pub fn nest(
    buf: &mut Vec<u8>,
    kind: u16,
    children: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let start = attr::begin(buf);
    children(buf)?;
    attr::end(buf, start, kind).map_err(|e| EncodeError::new("", e))
}

/// The flags of an add (`replace`: or replace) or a delete; `new` names the
/// request kind that may replace, for the error a delete with `replace` gets.
pub fn change_flags(delete: bool, replace: Option<bool>, new: &str) -> Result<u16> {
    match (delete, replace.unwrap_or(false)) {
        (true, true) => Err(EncodeError::new("replace", format!("only for {new}"))),
        (true, false) => Ok(NLM_F_ACK),
        (false, true) => Ok(NLM_F_ADD_OR_REPLACE),
        (false, false) => Ok(NLM_F_ADD),
    }
}

/// Runs `put` only when `value` is there.
pub fn optional<T>(value: Option<T>, put: impl FnOnce(T) -> Result<()>) -> Result<()> {
    value.map_or(Ok(()), put)
}

/// A interface index the kernel will not reinterpret: index 0 would make it
/// resolve the link by name in whatever namespace the socket is in.
pub fn index(path: &str, value: u32) -> Result<u32> {
    within(path, value, INDEX_MIN, INDEX_MAX, "a valid interface index")
}

/// An MTU the kernel could take (each device's own maximum is the kernel's to enforce).
pub fn mtu(path: &str, value: u32) -> Result<u32> {
    within(path, value, MTU_MIN, MTU_MAX, "a valid MTU")
}

/// `value` within [min, max]; else an error saying it is not `what`.
pub fn within(path: &str, value: u32, min: u32, max: u32, what: &str) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(EncodeError::new(
            path,
            format!("{value} is not {what} ({min} to {max})"),
        ))
    }
}

/// Characters a name must not hide: controls, zero-width ones and bidi
/// controls make two names print alike, or one print as another.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// IFNAMSIZ and the kernel's dev_valid_name: 1 to 15 bytes, not "." or "..",
/// no '/', ':' or whitespace; no '%', since the kernel expands "%d" in a new
/// name to a number of its choosing; nothing hidden.
pub fn ifname<'a>(path: &str, name: &'a str) -> Result<&'a str> {
    let what = if name.is_empty() || name.len() > IFNAME_MAX_BYTES {
        Some(format!("{name:?} must be 1 to {IFNAME_MAX_BYTES} bytes"))
    } else if name == "." || name == ".." {
        Some(format!("{name:?} is not a valid link name"))
    } else if let Some(c) = name.chars().find(|&c| hidden(c)) {
        Some(format!(
            "{name:?} contains U+{:04X}, a control, zero-width or bidi character",
            u32::from(c)
        ))
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c == '%' || c.is_whitespace())
    {
        Some(format!("{name:?} contains '/', ':', '%' or whitespace"))
    } else {
        None
    };
    what.map_or(Ok(name), |what| Err(EncodeError::new(path, what)))
}

/// IFLA_IFALIAS: at most 255 bytes (IFALIASZ less the NUL), nothing hidden (NUL included).
/// Empty is allowed: the kernel clears the alias on an empty attribute, as `ip link set NAME alias ""` does.
pub fn alias<'a>(path: &str, text: &'a str) -> Result<&'a str> {
    if text.len() > ALIAS_MAX_BYTES {
        return Err(EncodeError::new(
            path,
            format!("must be at most {ALIAS_MAX_BYTES} bytes"),
        ));
    }
    match text.chars().find(|&c| hidden(c)) {
        Some(c) => Err(EncodeError::new(
            path,
            format!(
                "contains U+{:04X}, a control, zero-width or bidi character",
                u32::from(c)
            ),
        )),
        None => Ok(text),
    }
}

pub fn ip(path: &str, text: &str) -> Result<Ip> {
    parse_ip(text).map_err(|e| EncodeError::new(path, e))
}

pub fn mac(path: &str, text: &str) -> Result<[u8; 6]> {
    parse_mac(text).map_err(|e| EncodeError::new(path, e))
}

/// An address that must be of `family` (AF_INET or AF_INET6), e.g. a gateway for a route of that family.
pub fn ip_of(path: &str, text: &str, family: u8) -> Result<Ip> {
    let ip = ip(path, text)?;
    if ip.family != family {
        return Err(EncodeError::new(
            path,
            format!("{text:?} is not of address family {family}"),
        ));
    }
    Ok(ip)
}

/// A prefix length within its address's size.
pub fn prefix_len(path: &str, len: u32, ip: &Ip) -> Result<u8> {
    if len > u32::from(ip.max_prefix()) {
        return Err(EncodeError::new(
            path,
            format!("{len} is longer than the {}-bit address", ip.max_prefix()),
        ));
    }
    Ok(len as u8)
}
