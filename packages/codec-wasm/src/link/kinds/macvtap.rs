//! macvtap: a macvlan whose frames a process reads and writes through
//! /dev/tapN. The kernel's macvtap driver takes macvlan's IFLA_MACVLAN_*
//! attributes and iproute2 writes them with the same iplink_macvlan.c, so
//! its options, their encoding and a dumped one's decoding (`Link.macvtap`)
//! are macvlan's.

use super::{KindSpec, Need};

pub use super::macvlan::put_info_data;

pub type Options = super::macvlan::Options;

pub const SPEC: KindSpec = KindSpec {
    name: "macvtap",
    plain_info_data: true,
    parent: Need::Required,
    options_required: false,
};
