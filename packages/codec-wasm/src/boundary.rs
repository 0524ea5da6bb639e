//! Generates what TypeScript knows of the boundary from the Rust types, so
//! the two cannot drift: generated/types.d.ts (ts-rs), generated/limits.js
//! (the limits table core's validators read) and generated/schemas.js (JSON
//! Schemas of the decoded Link, Address and Route, for the HTTP adapter's
//! OpenAPI document). The test fails when a checked-in file is stale;
//! `NESLINK_REGENERATE=1 cargo test boundary` rewrites them.

use std::path::Path;

use schemars::{generate::SchemaSettings, JsonSchema};
use ts_rs::{Config, TS};

use crate::addr::{AddrRequest, Address};
use crate::error::{Done, ErrorAck};
use crate::limits::{Limits, LIMITS};
use crate::link::decode::OperState;
use crate::link::kinds::{Gre, LinkKind, MacvlanMode, NewLink, Peer, Vxlan};
use crate::link::{Link, SetLink};
use crate::message::{Body, HeaderJson, Message};
use crate::neigh::Neighbour;
use crate::nsid::Nsid;
use crate::raw::{RawAttr, RawMessage};
use crate::request::Request;
use crate::route::{Route, RouteRequest};

const GENERATED_NOTE: &str = "// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.\n";

fn decl<T: TS>(cfg: &Config) -> String {
    let docs = T::docs().map(|d| d + "\n").unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

fn types() -> String {
    // i64 (errno) is a number in JSON, not a bigint.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        decl::<HeaderJson>(&cfg),
        decl::<OperState>(&cfg),
        decl::<Link>(&cfg),
        decl::<Address>(&cfg),
        decl::<Route>(&cfg),
        decl::<Neighbour>(&cfg),
        decl::<Nsid>(&cfg),
        decl::<ErrorAck>(&cfg),
        decl::<Done>(&cfg),
        decl::<Body>(&cfg),
        decl::<Message>(&cfg),
        decl::<LinkKind>(&cfg),
        decl::<MacvlanMode>(&cfg),
        decl::<Peer>(&cfg),
        decl::<Vxlan>(&cfg),
        decl::<Gre>(&cfg),
        decl::<NewLink>(&cfg),
        decl::<SetLink>(&cfg),
        decl::<AddrRequest>(&cfg),
        decl::<RouteRequest>(&cfg),
        decl::<Request>(&cfg),
        decl::<RawAttr>(&cfg),
        decl::<RawMessage>(&cfg),
        decl::<Limits>(&cfg),
    ];
    format!("{GENERATED_NOTE}{}", decls.join("\n"))
}

/// The members of a string union as ts-rs writes it (`"a" | "b"`): the enum's own serde names.
fn members<T: TS>() -> Vec<String> {
    T::inline(&Config::new())
        .split(" | ")
        .map(|m| m.trim_matches('"').to_string())
        .collect()
}

fn limits_js() -> String {
    let json = serde_json::to_string_pretty(&LIMITS).unwrap();
    let kinds = serde_json::to_string(&members::<LinkKind>()).unwrap();
    let modes = serde_json::to_string(&members::<MacvlanMode>()).unwrap();
    format!(
        "{GENERATED_NOTE}/** @type {{import(\"./types.js\").Limits}} */\nexport const LIMITS = Object.freeze({json});\n\n\
         export const LINK_KINDS = Object.freeze({kinds});\n\nexport const MACVLAN_MODES = Object.freeze({modes});\n"
    )
}

const LIMITS_DTS: &str = "import type { Limits, LinkKind, MacvlanMode } from \"./types.js\";\n\n\
/** Every limit a request field is held to (src/limits.rs). */\nexport declare const LIMITS: Readonly<Limits>;\n\
/** The link kinds newLink creates. */\nexport declare const LINK_KINDS: readonly LinkKind[];\n\
/** The macvlan modes (IFLA_MACVLAN_MODE). */\nexport declare const MACVLAN_MODES: readonly MacvlanMode[];\n";

fn schema<T: JsonSchema>() -> serde_json::Value {
    // What serialising gives (every field present, null when absent); OpenAPI
    // components cannot hold $defs, so every subschema is inlined.
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    schema.as_object_mut().unwrap().remove("$schema");
    schema
}

fn schemas_js() -> String {
    let schemas = serde_json::json!({
        "Link": schema::<Link>(),
        "Address": schema::<Address>(),
        "Route": schema::<Route>(),
    });
    let json = serde_json::to_string_pretty(&schemas).unwrap();
    format!("{GENERATED_NOTE}/** JSON Schemas (2020-12) of what decodeMessages returns, by type name. */\nexport const SCHEMAS = Object.freeze({json});\n")
}

const SCHEMAS_DTS: &str = "/** JSON Schemas (2020-12) of what decodeMessages returns, by type name. */\nexport declare const SCHEMAS: Readonly<Record<\"Link\" | \"Address\" | \"Route\", Record<string, unknown>>>;\n";

#[test]
fn generated_files_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let files = [
        ("types.d.ts", types()),
        ("limits.js", limits_js()),
        ("limits.d.ts", format!("{GENERATED_NOTE}{LIMITS_DTS}")),
        ("schemas.js", schemas_js()),
        ("schemas.d.ts", format!("{GENERATED_NOTE}{SCHEMAS_DTS}")),
    ];
    let regenerate = std::env::var_os("NESLINK_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        if regenerate {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &content).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "generated/{stale:?} differ from the Rust types: run NESLINK_REGENERATE=1 cargo test boundary and commit the result"
    );
}
