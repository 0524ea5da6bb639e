//! macvlan: IFLA_MACVLAN_MODE, as iproute2's iplink_macvlan.c writes it, and
//! as a dumped macvlan's IFLA_INFO_DATA decodes (`Link.macvlan`, and a
//! macvtap's `Link.macvtap`).

use serde::{Deserialize, Serialize};

use super::{KindSpec, Need};
use crate::attr::{read_optional, Attr};
use crate::encode::{nest, optional, put_u32, Result};
use crate::fault::DecodeError;
use crate::link::consts::IFLA_INFO_DATA;

const IFLA_MACVLAN_MODE: u16 = 1;

/// MACVLAN_MODE_* values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MacvlanMode {
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

const MODES: [MacvlanMode; 5] = [
    MacvlanMode::Private,
    MacvlanMode::Vepa,
    MacvlanMode::Bridge,
    MacvlanMode::Passthru,
    MacvlanMode::Source,
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(optional_fields, rename = "MacvlanOptions")
)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The kernel's default is vepa.
    #[cfg_attr(test, ts(inline))]
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// A dumped macvlan's IFLA_INFO_DATA as the options that would make it; a mode this codec has no name for is left out.
pub fn decode(data: &[Attr]) -> std::result::Result<Options, DecodeError> {
    let mode = read_optional(data, IFLA_MACVLAN_MODE, Attr::u32)?;
    Ok(Options {
        mode: mode.and_then(|m| MODES.into_iter().find(|&known| known as u32 == m)),
    })
}
