//! gretap: IFLA_GRE_*. iproute2's gre_parse_opt (link_gre.c) writes its whole
//! option set, defaults included, once any option is given.

use serde::Deserialize;

use super::{KindSpec, Need};
use crate::encode::{ip_of, nest, put, put_u32, Result};
use crate::limits::GRETAP_FAMILY;
use crate::link::consts::IFLA_INFO_DATA;

const IFLA_GRE_IFLAGS: u16 = 2;
const IFLA_GRE_OFLAGS: u16 = 3;
const IFLA_GRE_IKEY: u16 = 4;
const IFLA_GRE_OKEY: u16 = 5;
const IFLA_GRE_LOCAL: u16 = 6;
const IFLA_GRE_REMOTE: u16 = 7;
const IFLA_GRE_TTL: u16 = 8;
const IFLA_GRE_TOS: u16 = 9;
const IFLA_GRE_PMTUDISC: u16 = 10;
const IFLA_GRE_ENCAP_TYPE: u16 = 14;
const IFLA_GRE_ENCAP_FLAGS: u16 = 15;
const IFLA_GRE_ENCAP_SPORT: u16 = 16;
const IFLA_GRE_ENCAP_DPORT: u16 = 17;
const IFLA_GRE_FWMARK: u16 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(optional_fields, rename = "GretapOptions")
)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub local: Option<String>,
    pub remote: Option<String>,
}

pub const SPEC: KindSpec = KindSpec {
    name: "gretap",
    plain_info_data: true,
    parent: Need::No,
    options_required: true,
};

/// An endpoint of the tunnel, 0.0.0.0 ("any") when not given.
fn endpoint(path: &str, text: Option<&str>) -> Result<Vec<u8>> {
    match text {
        Some(text) => Ok(ip_of(path, text, GRETAP_FAMILY)?.bytes),
        None => Ok(vec![0; 4]),
    }
}

pub fn put_info_data(buf: &mut Vec<u8>, g: &Options) -> Result<()> {
    if g.local.is_none() && g.remote.is_none() {
        return Ok(());
    }
    let local = endpoint("gretap.local", g.local.as_deref())?;
    let remote = endpoint("gretap.remote", g.remote.as_deref())?;
    let zero16 = [0u8; 2];
    nest(buf, IFLA_INFO_DATA, |buf| {
        put_u32(buf, IFLA_GRE_IKEY, 0)?;
        put_u32(buf, IFLA_GRE_OKEY, 0)?;
        put(buf, IFLA_GRE_IFLAGS, &zero16)?;
        put(buf, IFLA_GRE_OFLAGS, &zero16)?;
        put(buf, IFLA_GRE_LOCAL, &local)?;
        put(buf, IFLA_GRE_REMOTE, &remote)?;
        put(buf, IFLA_GRE_PMTUDISC, &[1])?;
        // TOS and TTL 0: inherit.
        put(buf, IFLA_GRE_TOS, &[0])?;
        put(buf, IFLA_GRE_TTL, &[0])?;
        put_u32(buf, IFLA_GRE_FWMARK, 0)?;
        for encap in [
            IFLA_GRE_ENCAP_TYPE,
            IFLA_GRE_ENCAP_FLAGS,
            IFLA_GRE_ENCAP_SPORT,
            IFLA_GRE_ENCAP_DPORT,
        ] {
            put(buf, encap, &zero16)?;
        }
        Ok(())
    })
}
