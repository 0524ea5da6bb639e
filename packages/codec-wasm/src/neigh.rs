//! Neighbour messages: struct ndmsg followed by NDA_* attributes. The dump
//! request is laid out as iproute2 6.1's `ip neigh show` sends it.

use serde::Serialize;

use crate::attr::{find, read_optional, Attr};
use crate::encode::{message, Head, Result};
use crate::fault::DecodeError;
use crate::ip::display_ip;
use crate::message::NLM_F_DUMP;
use crate::message::{fixed_and_attrs, Frame};
use crate::wire::{read_i32, read_u16, to_hex};

pub const RTM_NEWNEIGH: u16 = 28;
pub const RTM_DELNEIGH: u16 = 29;
const RTM_GETNEIGH: u16 = 30;
/// sizeof(struct ndmsg): family u8, 3 pad bytes, ifindex s32, state u16, flags u8, type u8.
const NDMSG: usize = 12;

const NDA_DST: u16 = 1;
const NDA_LLADDR: u16 = 2;
const NDA_VLAN: u16 = 5;
const NDA_MASTER: u16 = 9;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Neighbour {
    index: u32,
    family: u8,
    /// NDA_DST: the IP address (or, for bridge fdb entries, absent).
    dst: Option<String>,
    /// NDA_LLADDR as colon hex; absent while the entry is incomplete or failed.
    mac: Option<String>,
    /// ndm_state, NUD_* bits (0x80 PERMANENT, 0x02 REACHABLE, 0x04 STALE, ...).
    state: u16,
    /// ndm_flags, NTF_* bits.
    flags: u8,
    /// ndm_type (an RTN_* value).
    #[serde(rename = "type")]
    kind: u8,
    vlan: Option<u16>,
    master_index: Option<u32>,
}

/// As `ip neigh show` dumps: an all-zero ndmsg (every family, every link).
#[inline(never)] // apart from the other kinds: see request::push
pub fn push_get_neigh_dump(buf: &mut Vec<u8>, seq: u32, pid: u32) -> Result<()> {
    message(
        buf,
        Head {
            kind: RTM_GETNEIGH,
            seq,
            pid,
        },
        NLM_F_DUMP,
        &[0; NDMSG],
        |_| Ok(()),
    )
}

fn u16_attr(a: &Attr) -> std::result::Result<u16, DecodeError> {
    read_u16(a.payload, 0).ok_or_else(|| {
        DecodeError::new(
            a.offset,
            format!("attribute {} is shorter than 2 bytes", a.id()),
        )
    })
}

#[inline(never)] // apart from the other kinds: see message::decode_frame
pub fn decode_neighbour(frame: &Frame) -> std::result::Result<Neighbour, DecodeError> {
    let (fixed, attrs) = fixed_and_attrs(frame, NDMSG, "neighbour")?;
    Ok(Neighbour {
        // ndm_ifindex is signed in the kernel's struct; a link index is never negative.
        index: read_i32(fixed, 4).unwrap_or_default() as u32,
        family: fixed[0],
        dst: find(&attrs, NDA_DST).map(|a| display_ip(a.payload)),
        mac: find(&attrs, NDA_LLADDR).map(|a| to_hex(a.payload, ":")),
        state: read_u16(fixed, 8).unwrap_or_default(),
        flags: fixed[10],
        kind: fixed[11],
        vlan: read_optional(&attrs, NDA_VLAN, u16_attr)?,
        master_index: read_optional(&attrs, NDA_MASTER, Attr::u32)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::frames;

    #[test]
    fn short_ndmsg_is_an_error() {
        let mut buf = Vec::new();
        crate::encode::message(
            &mut buf,
            Head {
                kind: RTM_NEWNEIGH,
                seq: 1,
                pid: 0,
            },
            0,
            &[0; 8],
            |_| Ok(()),
        )
        .unwrap();
        let frame = frames(&buf).unwrap()[0];
        assert!(decode_neighbour(&frame)
            .unwrap_err()
            .what
            .contains("12-byte family header"));
    }
}
