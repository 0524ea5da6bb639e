//! wireguard: no options (keys and peers are set over generic netlink, not rtnetlink).

use super::KindSpec;

pub const SPEC: KindSpec = KindSpec::bare("wireguard", false);
