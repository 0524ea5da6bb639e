// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
import type { Limits, LinkKind } from "./types.js";

/** Every limit a request field is held to (src/limits.rs). */
export declare const LIMITS: Readonly<Limits>;
/** The link kinds newLink creates. */
export declare const LINK_KINDS: readonly LinkKind[];
/** Whether a kind's request may ("optional"), must or must not ("no") have a parent link (parentIndex) and its options. */
export type Need = "no" | "optional" | "required";
/** Each kind's rules (src/link/kinds/): `schema` is the JSON Schema (2020-12) of its options, null when it has none. */
export declare const LINK_KIND_RULES: Readonly<Record<LinkKind, { parent: Need; options: Need; schema: Record<string, unknown> | null }>>;
