//! dummy: no options and no IFLA_INFO_DATA.

use super::KindSpec;

pub const SPEC: KindSpec = KindSpec::bare("dummy", false);
