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
use crate::link::kinds::{visit_options, LinkKind, Need, NewLink, OptionsVisitor, KINDS};
use crate::link::{Link, LinkHead, SetLink};
use crate::message::{Body, HeaderJson, HeadsMessage, LinkHeadMessage, Message};
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
        decl::<LinkHead>(&cfg),
        decl::<LinkHeadMessage>(&cfg),
        decl::<HeadsMessage>(&cfg),
        decl::<LinkKind>(&cfg),
        kind_options(&cfg),
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

/// The declaration of every kind's options type (VethOptions, ...), once when kinds share one.
fn kind_options(cfg: &Config) -> String {
    struct Decls<'a>(&'a Config, Vec<String>);
    impl OptionsVisitor for Decls<'_> {
        fn visit<T: TS + JsonSchema + 'static>(&mut self, _: &'static str) {
            let decl = decl::<T>(self.0);
            if !self.1.contains(&decl) {
                self.1.push(decl);
            }
        }
    }
    let mut decls = Decls(cfg, Vec::new());
    visit_options(&mut decls);
    decls.1.join("\n")
}

/// schemars gives an unsigned integer its minimum only: add the maximum its format says, as serde enforces it.
fn bound_unsigned(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            let max = match map.get("format").and_then(|f| f.as_str()) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(max) = max {
                map.insert("maximum".into(), max.into());
            }
            map.values_mut().for_each(bound_unsigned);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(bound_unsigned),
        _ => {}
    }
}

/// Per kind: whether it takes a parent link and options, and their JSON Schema (null for none).
fn kind_rules() -> serde_json::Value {
    struct Schemas(serde_json::Map<String, serde_json::Value>);
    impl OptionsVisitor for Schemas {
        fn visit<T: TS + JsonSchema + 'static>(&mut self, kind: &'static str) {
            // What a request may hold: an Option field may be left out.
            let mut schema = schema_in::<T>(SchemaSettings::draft2020_12().for_deserialize());
            schema.as_object_mut().unwrap().remove("title");
            bound_unsigned(&mut schema);
            self.0.insert(kind.to_string(), schema);
        }
    }
    let mut schemas = Schemas(serde_json::Map::new());
    visit_options(&mut schemas);
    let rules = KINDS.iter().map(|k| {
        let schema = schemas.0.remove(k.name);
        let options = match (&schema, k.options_required) {
            (None, _) => Need::No,
            (Some(_), true) => Need::Required,
            (Some(_), false) => Need::Optional,
        };
        let rule = serde_json::json!({ "parent": k.parent, "options": options, "schema": schema });
        (k.name.to_string(), rule)
    });
    serde_json::Value::Object(rules.collect())
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
    let rules = serde_json::to_string_pretty(&kind_rules()).unwrap();
    format!(
        "{GENERATED_NOTE}/** @type {{import(\"./types.js\").Limits}} */\nexport const LIMITS = Object.freeze({json});\n\n\
         export const LINK_KINDS = Object.freeze({kinds});\n\nexport const LINK_KIND_RULES = Object.freeze({rules});\n"
    )
}

const LIMITS_DTS: &str = "import type { Limits, LinkKind } from \"./types.js\";\n\n\
/** Every limit a request field is held to (src/limits.rs). */\nexport declare const LIMITS: Readonly<Limits>;\n\
/** The link kinds newLink creates. */\nexport declare const LINK_KINDS: readonly LinkKind[];\n\
/** Whether a kind's request may (\"optional\"), must or must not (\"no\") have a parent link (parentIndex) and its options. */\n\
export type Need = \"no\" | \"optional\" | \"required\";\n\
/** Each kind's rules (src/link/kinds/): `schema` is the JSON Schema (2020-12) of its options, null when it has none. */\n\
export declare const LINK_KIND_RULES: Readonly<Record<LinkKind, { parent: Need; options: Need; schema: Record<string, unknown> | null }>>;\n";

/// `T`'s schema in `settings`' view, every subschema inlined (OpenAPI components cannot hold $defs).
fn schema_in<T: JsonSchema>(settings: SchemaSettings) -> serde_json::Value {
    let mut schema = settings
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    schema.as_object_mut().unwrap().remove("$schema");
    schema
}

/// What serialising gives (every field present, null when absent).
fn schema<T: JsonSchema>() -> serde_json::Value {
    schema_in::<T>(SchemaSettings::draft2020_12().for_serialize())
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
