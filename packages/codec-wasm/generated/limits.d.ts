// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
import type { Limits } from "./types.js";

/** Every limit a request field is held to (src/limits.rs). */
export declare const LIMITS: Readonly<Limits>;
