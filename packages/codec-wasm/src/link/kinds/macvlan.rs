//! macvlan: IFLA_MACVLAN_MODE, as iproute2's iplink_macvlan.c writes it.

use serde::Deserialize;

use super::{KindSpec, Need};
use crate::encode::{nest, optional, put_u32, Result};
use crate::link::consts::IFLA_INFO_DATA;

const IFLA_MACVLAN_MODE: u16 = 1;

/// MACVLAN_MODE_* values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MacvlanMode {
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(optional_fields, rename = "MacvlanOptions")
)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The kernel's default is vepa.
    #[cfg_attr(test, ts(inline))]
    pub mode: Option<MacvlanMode>,
}

pub const SPEC: KindSpec = KindSpec {
    name: "macvlan",
    plain_info_data: true,
    parent: Need::Required,
    options_required: false,
};

pub fn put_info_data(buf: &mut Vec<u8>, o: &Options) -> Result<()> {
    optional(o.mode, |mode| {
        nest(buf, IFLA_INFO_DATA, |buf| {
            put_u32(buf, IFLA_MACVLAN_MODE, mode as u32)
        })
    })
}
