//! The link kinds newLink creates, one file each: `veth.rs` is kind "veth".
//! A file holds its `SPEC`, and if the kind takes options, its `Options`
//! (which newLink carries in the field named as the kind) and the
//! `put_info_data` that writes them as IFLA_INFO_DATA, in the order
//! iproute2 6.1's iplink_*.c writes them. build.rs lists the files; the
//! `link_kinds!` call it writes derives `LinkKind`, `KINDS` and `NewLink`,
//! so nothing else names a kind but its `mod` line below (build.rs checks
//! those, and says which line a new file needs).

// One line a kind file, which build.rs checks: cargo-mutants finds the files to mutate by these lines.
mod bridge;
mod dummy;
mod gretap;
mod ifb;
mod macvlan;
mod macvtap;
mod veth;
mod vxlan;
mod wireguard;

/// What a dumped link's IFLA_INFO_DATA decodes to, for the kinds whose options a `Link` carries.
pub use macvlan::{decode as decode_macvlan, Options as MacvlanOptions};
pub use vxlan::{decode as decode_vxlan, Options as VxlanOptions};

use serde::Deserialize;

use crate::encode::{optional, Result};
use crate::fault::EncodeError;

/// Whether a kind takes a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "lowercase"))]
pub enum Need {
    No,
    Optional,
    Required,
}

/// What the codec knows of a kind besides its options.
pub struct KindSpec {
    /// IFLA_INFO_KIND.
    pub name: &'static str,
    /// IFLA_INFO_DATA is a nest of attributes (the raw view expands it); else it stays hex.
    pub plain_info_data: bool,
    /// Whether the link sits on another one (`parentIndex`, IFLA_LINK).
    pub parent: Need,
    /// Whether a request must carry the kind's options (a kind without `Options` has none).
    pub options_required: bool,
}

impl KindSpec {
    /// A kind without options, on no other link.
    pub const fn bare(name: &'static str, plain_info_data: bool) -> Self {
        KindSpec {
            name,
            plain_info_data,
            parent: Need::No,
            options_required: false,
        }
    }
}

/// The TypeScript and JSON Schema side of each kind's options (src/boundary.rs).
#[cfg(test)]
pub trait OptionsVisitor {
    fn visit<T: ts_rs::TS + schemars::JsonSchema + 'static>(&mut self, kind: &'static str);
}

/// `NewLink` fields for another kind, or a parent or options its kind does not take or needs, are refused rather than dropped or left to the kernel.
fn check(
    kind: LinkKind,
    fields: &[(&'static str, bool, LinkKind)],
    parent: bool,
    options: bool,
) -> Result<()> {
    let refuse = |field: &str, what: String| Err(EncodeError::new(field, what));
    let spec = kind.spec();
    for &(field, present, owner) in fields {
        if present && owner != kind {
            return refuse(
                field,
                format!("only for kind {:?}, not {:?}", owner.spec().name, spec.name),
            );
        }
    }
    match (spec.parent, parent) {
        (Need::No, true) => return refuse("parentIndex", format!("not for kind {:?}", spec.name)),
        (Need::Required, false) => {
            return refuse(
                "parentIndex",
                format!("required for kind {:?}: the link it sits on", spec.name),
            )
        }
        _ => {}
    }
    if spec.options_required && !options {
        return refuse(spec.name, format!("required for kind {:?}", spec.name));
    }
    Ok(())
}

macro_rules! link_kinds {
    (bare: [$($b:ident $B:ident,)*] with_options: [$($k:ident $K:ident,)*]) => {

        /// Link kinds the codec can create. The kernel may lack some (then it answers "Unknown device type").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[cfg_attr(test, derive(ts_rs::TS))]
        #[serde(rename_all = "lowercase")]
        pub enum LinkKind {
            $($B,)*
            $($K,)*
        }

        /// Every kind, in `LinkKind` order.
        pub const KINDS: &[&KindSpec] = &[$(&$b::SPEC,)* $(&$k::SPEC,)*];

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
            /// The link it sits on (IFLA_LINK), for the kinds that take one.
            pub parent_index: Option<u32>,
            $(
                #[doc = concat!(" The options of a ", stringify!($k), " link (its IFLA_INFO_DATA).")]
                pub $k: Option<$k::Options>,
            )*
            /// As `ip link add NAME up ...`: IFF_UP in ifi_flags and ifi_change.
            #[serde(default)]
            #[cfg_attr(test, ts(as = "Option<bool>", optional))]
            pub up: bool,
            /// Made in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID, last).
            pub target_nsid: Option<i32>,
        }

        impl NewLink {
            /// Checks the request's fields against its kind (see `check`).
            pub fn check_kind_options(&self) -> Result<()> {
                let options = match self.kind {
                    $(LinkKind::$K => self.$k.is_some(),)*
                    _ => false,
                };
                check(
                    self.kind,
                    &[$((stringify!($k), self.$k.is_some(), LinkKind::$K),)*],
                    self.parent_index.is_some(),
                    options,
                )
            }

            /// Writes IFLA_INFO_DATA from the kind's options; iproute2 writes none without options.
            pub fn put_info_data(&self, buf: &mut Vec<u8>) -> Result<()> {
                match self.kind {
                    $(LinkKind::$K => optional(self.$k.as_ref(), |o| $k::put_info_data(buf, o)),)*
                    _ => Ok(()),
                }
            }
        }

        /// Each kind that has options, with their type.
        #[cfg(test)]
        pub fn visit_options(v: &mut impl OptionsVisitor) {
            $(v.visit::<$k::Options>(stringify!($k));)*
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/link_kinds.rs"));

impl LinkKind {
    pub fn spec(self) -> &'static KindSpec {
        KINDS[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_has_its_spec_in_enum_order() {
        for (i, spec) in KINDS.iter().enumerate() {
            let kind: LinkKind = serde_json::from_value(json!(spec.name)).unwrap();
            assert_eq!(kind as usize, i);
        }
    }

    fn new_link(fields: serde_json::Value) -> NewLink {
        let mut request = json!({ "seq": 1, "name": "x" });
        request
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        serde_json::from_value(request).unwrap()
    }

    fn refused(fields: serde_json::Value) -> String {
        new_link(fields)
            .check_kind_options()
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn options_are_only_for_their_own_kind() {
        assert_eq!(
            refused(json!({ "kind": "bridge", "vxlan": { "id": 1 } })),
            "vxlan: only for kind \"vxlan\", not \"bridge\""
        );
        assert_eq!(
            refused(
                json!({ "kind": "macvlan", "parentIndex": 2, "veth": { "peer": { "name": "y" } } })
            ),
            "veth: only for kind \"veth\", not \"macvlan\""
        );
        assert!(
            new_link(json!({ "kind": "veth", "veth": { "peer": { "name": "y" } } }))
                .check_kind_options()
                .is_ok()
        );
    }

    #[test]
    fn a_parent_is_refused_required_or_optional_as_the_kind_says() {
        assert_eq!(
            refused(json!({ "kind": "bridge", "parentIndex": 2 })),
            "parentIndex: not for kind \"bridge\""
        );
        assert_eq!(
            refused(json!({ "kind": "macvlan", "macvlan": {} })),
            "parentIndex: required for kind \"macvlan\": the link it sits on"
        );
        for parent in [json!(null), json!(2)] {
            let vxlan =
                new_link(json!({ "kind": "vxlan", "vxlan": { "id": 1 }, "parentIndex": parent }));
            assert!(vxlan.check_kind_options().is_ok());
        }
    }

    #[test]
    fn required_options_must_be_there() {
        assert_eq!(
            refused(json!({ "kind": "vxlan" })),
            "vxlan: required for kind \"vxlan\""
        );
        assert!(new_link(json!({ "kind": "bridge" }))
            .check_kind_options()
            .is_ok());
    }
}
