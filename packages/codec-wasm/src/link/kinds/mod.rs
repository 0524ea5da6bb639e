//! The link kinds newLink creates. A kind is one file holding its options and
//! the IFLA_INFO_DATA it writes (in the order iproute2 6.1's iplink_*.c
//! writes them), plus its line in `LinkKind` and, if it has options, its
//! field in `NewLink`. Kinds without options share `bare`.

mod gretap;
mod macvlan;
mod veth;
mod vxlan;

use serde::Deserialize;

use crate::encode::Result;
use crate::fault::EncodeError;

pub use gretap::Gre;
pub use macvlan::MacvlanMode;
pub use veth::Peer;
pub use vxlan::Vxlan;

/// Link kinds the codec can create. The kernel may lack some (then it answers "Unknown device type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Bridge,
    Veth,
    Dummy,
    Gretap,
    Wireguard,
    Vxlan,
    Macvlan,
    Ifb,
}

/// What the codec knows of a kind.
pub struct KindSpec {
    /// IFLA_INFO_KIND.
    pub name: &'static str,
    /// IFLA_INFO_DATA is a nest of attributes (the raw view expands it); else it stays hex.
    pub plain_info_data: bool,
    /// Writes IFLA_INFO_DATA if the request has options for it; iproute2 writes none otherwise.
    pub put_info_data: fn(&mut Vec<u8>, &NewLink) -> Result<()>,
}

/// A kind without options of its own.
const fn bare(name: &'static str, plain_info_data: bool) -> KindSpec {
    KindSpec {
        name,
        plain_info_data,
        put_info_data: |_, _| Ok(()),
    }
}

const BRIDGE: KindSpec = bare("bridge", true);
const DUMMY: KindSpec = bare("dummy", false);
const WIREGUARD: KindSpec = bare("wireguard", false);
const IFB: KindSpec = bare("ifb", false);

/// Every kind, for the raw view's lookups by IFLA_INFO_KIND.
pub const KINDS: [&KindSpec; 8] = [
    &BRIDGE,
    &veth::SPEC,
    &DUMMY,
    &gretap::SPEC,
    &WIREGUARD,
    &vxlan::SPEC,
    &macvlan::SPEC,
    &IFB,
];

impl LinkKind {
    pub fn spec(self) -> &'static KindSpec {
        KINDS[self as usize]
    }
}

/// RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK: creates a link, laid out
/// as iproute2's `ip link add` lays out the same request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS),
    ts(optional_fields, rename = "NewLinkRequest")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLink {
    pub seq: u32,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<u32>", optional))]
    pub pid: u32,
    pub name: String,
    pub kind: LinkKind,
    pub ns_fd: Option<u32>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
    pub group: Option<u32>,
    pub master_index: Option<u32>,
    pub parent_index: Option<u32>,
    pub peer: Option<Peer>,
    pub vxlan: Option<Vxlan>,
    pub gre: Option<Gre>,
    pub macvlan_mode: Option<MacvlanMode>,
    /// As `ip link add NAME up ...`: IFF_UP in ifi_flags and ifi_change.
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub up: bool,
}

impl NewLink {
    /// Kind-specific options given to another kind are refused rather than silently dropped.
    pub fn check_kind_options(&self) -> Result<()> {
        let given = [
            ("peer", self.peer.is_some(), LinkKind::Veth),
            ("vxlan", self.vxlan.is_some(), LinkKind::Vxlan),
            ("gre", self.gre.is_some(), LinkKind::Gretap),
            (
                "macvlanMode",
                self.macvlan_mode.is_some(),
                LinkKind::Macvlan,
            ),
        ];
        let kind = self.kind.spec().name;
        for (field, present, owner) in given {
            if present && self.kind != owner {
                let owner = owner.spec().name;
                return Err(EncodeError::new(
                    field,
                    format!("only for kind {owner:?}, not {kind:?}"),
                ));
            }
        }
        if self.kind == LinkKind::Vxlan && self.vxlan.is_none() {
            return Err(EncodeError::new(
                "vxlan",
                "required for kind \"vxlan\" (at least its id)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_spec_in_enum_order() {
        let names: Vec<LinkKind> = KINDS
            .iter()
            .map(|k| serde_json::from_value(serde_json::Value::from(k.name)).unwrap())
            .collect();
        for (i, kind) in names.into_iter().enumerate() {
            assert_eq!(kind as usize, i);
        }
    }
}
