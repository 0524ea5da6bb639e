// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
/** JSON Schemas (2020-12) of what decodeMessages returns, by type name. */
export declare const SCHEMAS: Readonly<Record<"Link" | "Address" | "Route", Record<string, unknown>>>;
