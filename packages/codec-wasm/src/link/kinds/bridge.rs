//! bridge: no options; the kernel's IFLA_INFO_DATA for a bridge is a nest of IFLA_BR_* attributes.

use super::KindSpec;

pub const SPEC: KindSpec = KindSpec::bare("bridge", true);
