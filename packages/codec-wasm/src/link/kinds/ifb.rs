//! ifb (intermediate functional block): no options and no IFLA_INFO_DATA.

use super::KindSpec;

pub const SPEC: KindSpec = KindSpec::bare("ifb", false);
