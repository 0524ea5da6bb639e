//! contract/fields.json through the codec: each case is put in the request
//! field it names and encoded; the verdict must be the case's, and a refusal
//! must name that field. packages/core/src/validate/contract.test.ts feeds
//! the same cases to core's validators.

use neslink_codec::{encode_requests, Request};
use serde_json::{json, Value};

/// The request that carries `value` in `field`, and the path an error about it names.
fn request(field: &str, value: &Value) -> (Value, &'static str) {
    let new_link = |kind: &str, extra: Value| {
        let mut r = json!({ "type": "newLink", "seq": 1, "name": "x", "kind": kind });
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    match field {
        "linkName" => (new_link("bridge", json!({ "name": value })), "name"),
        "alias" => (
            json!({ "type": "setLink", "seq": 1, "index": 1, "alias": value }),
            "alias",
        ),
        "mtu" => (
            json!({ "type": "setLink", "seq": 1, "index": 1, "mtu": value }),
            "mtu",
        ),
        "index" => (
            json!({ "type": "setLink", "seq": 1, "index": value, "up": true }),
            "index",
        ),
        "mac" => (
            json!({ "type": "setLink", "seq": 1, "index": 1, "mac": value }),
            "mac",
        ),
        "ip" => (
            json!({ "type": "newAddr", "seq": 1, "index": 1, "address": value, "prefixLen": 0 }),
            "address",
        ),
        "prefixLenV4" => (
            json!({ "type": "newAddr", "seq": 1, "index": 1, "address": "10.0.0.1", "prefixLen": value }),
            "prefixLen",
        ),
        "prefixLenV6" => (
            json!({ "type": "newAddr", "seq": 1, "index": 1, "address": "2001:db8::1", "prefixLen": value }),
            "prefixLen",
        ),
        "vxlanId" => (
            new_link("vxlan", json!({ "vxlan": { "id": value } })),
            "vxlan.id",
        ),
        "vxlanPort" => (
            new_link("vxlan", json!({ "vxlan": { "id": 1, "port": value } })),
            "vxlan.port",
        ),
        "vxlanGroup" => (
            new_link("vxlan", json!({ "vxlan": { "id": 1, "group": value } })),
            "vxlan.group",
        ),
        "vxlanRemote" => (
            new_link("vxlan", json!({ "vxlan": { "id": 1, "remote": value } })),
            "vxlan.remote",
        ),
        "vxlanRemoteOfV4Local" => (
            new_link(
                "vxlan",
                json!({ "vxlan": { "id": 1, "local": "10.0.0.1", "remote": value } }),
            ),
            "vxlan.remote",
        ),
        "greLocal" => (
            new_link("gretap", json!({ "gretap": { "local": value } })),
            "gretap.local",
        ),
        "routeTable" => (
            json!({ "type": "newRoute", "seq": 1, "family": 2, "oifIndex": 1, "table": value }),
            "table",
        ),
        other => panic!("contract/fields.json names an unknown field {other:?}"),
    }
}

/// Ok, or the path of the field at fault (a value serde refuses, such as a
/// number out of u32's range, is at fault in the whole request).
fn verdict(request: Value) -> Result<(), String> {
    let requests: Vec<Request> =
        serde_json::from_value(json!([request])).map_err(|_| "requests[0]".to_string())?;
    encode_requests(&requests).map(|_| ()).map_err(|e| e.path)
}

#[test]
fn the_codec_gives_every_contract_verdict() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/contract/fields.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 50);
    for case in cases {
        let field = case["field"].as_str().unwrap();
        let (request, at) = request(field, &case["value"]);
        match (verdict(request), case["valid"].as_bool().unwrap()) {
            (Ok(()), true) => {}
            (Err(path), false) => assert!(
                path == format!("requests[0].{at}")
                    || (path == "requests[0]" && case["value"].is_number()),
                "{case}: refused at {path}, not at {at}"
            ),
            (got, _) => panic!("{case}: the codec gave {got:?}"),
        }
    }
}
