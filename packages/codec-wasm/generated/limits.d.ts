// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
import type { Limits, LinkKind, MacvlanMode } from "./types.js";

/** Every limit a request field is held to (src/limits.rs). */
export declare const LIMITS: Readonly<Limits>;
/** The link kinds newLink creates. */
export declare const LINK_KINDS: readonly LinkKind[];
/** The macvlan modes (IFLA_MACVLAN_MODE). */
export declare const MACVLAN_MODES: readonly MacvlanMode[];
