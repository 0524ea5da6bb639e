//! macvlan: IFLA_MACVLAN_MODE, as iproute2's iplink_macvlan.c writes it.

use serde::Deserialize;

use super::{KindSpec, NewLink};
use crate::encode::{nest, put_u32, Result};
use crate::link::consts::IFLA_INFO_DATA;

const IFLA_MACVLAN_MODE: u16 = 1;

/// MACVLAN_MODE_* values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum MacvlanMode {
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

pub const SPEC: KindSpec = KindSpec {
    name: "macvlan",
    plain_info_data: true,
    put_info_data,
};

fn put_info_data(buf: &mut Vec<u8>, r: &NewLink) -> Result<()> {
    let Some(mode) = r.macvlan_mode else {
        return Ok(());
    };
    nest(buf, IFLA_INFO_DATA, |buf| {
        put_u32(buf, IFLA_MACVLAN_MODE, mode as u32)
    })
}
