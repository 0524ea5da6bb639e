//! Kernel test vectors (fixtures/<family>/<case>.{bin,json}, made by
//! fixtures/capture.py) against the codec, plus truncation and mutation of
//! every vector to show that hostile bytes give errors, not panics or hangs.
//!
//! `NESLINK_BLESS=1 cargo test --test fixtures` fills in a freshly captured
//! case's `"messages": null`; review the result before committing it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use neslink_codec::{
    decode_link_heads, decode_messages, decode_raw, encode_raw, encode_requests, Request,
};
use serde_json::Value;

struct Fixture {
    name: String,
    bytes: Vec<u8>,
    json: Value,
    json_path: PathBuf,
}

fn fixtures() -> Vec<Fixture> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for family in fs::read_dir(&root).unwrap() {
        let family = family.unwrap().path();
        if !family.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&family).unwrap() {
            let bin = entry.unwrap().path();
            if bin.extension().is_some_and(|e| e == "bin") {
                let json_path = bin.with_extension("json");
                out.push(Fixture {
                    name: bin.strip_prefix(&root).unwrap().display().to_string(),
                    bytes: fs::read(&bin).unwrap(),
                    json: serde_json::from_str(&fs::read_to_string(&json_path).unwrap()).unwrap(),
                    json_path,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 4, "fixtures missing under {}", root.display());
    out
}

fn decoded(bytes: &[u8]) -> Value {
    serde_json::to_value(decode_messages(bytes).unwrap()).unwrap()
}

fn bless(fixture: &Fixture, messages: &Value) {
    let text = fs::read_to_string(&fixture.json_path).unwrap();
    let pretty = serde_json::to_string_pretty(messages)
        .unwrap()
        .replace('\n', "\n  ");
    fs::write(
        &fixture.json_path,
        text.replace("\"messages\": null", &format!("\"messages\": {pretty}")),
    )
    .unwrap();
}

#[test]
fn every_fixture_decodes_to_its_expected_messages() {
    for fixture in fixtures() {
        let actual = decoded(&fixture.bytes);
        match &fixture.json["messages"] {
            Value::Null if std::env::var_os("NESLINK_BLESS").is_some() => bless(&fixture, &actual),
            Value::Null => panic!(
                "{}: no expected messages; run NESLINK_BLESS=1 cargo test --test fixtures",
                fixture.name
            ),
            expected => assert_eq!(&actual, expected, "{}", fixture.name),
        }
    }
}

/// decode_link_heads gives each link message's index, group and alias (with its header) and every other
/// message as decode_messages does.
#[test]
fn link_heads_are_the_links_index_group_and_alias() {
    let mut links = 0;
    for fixture in fixtures() {
        let whole = decoded(&fixture.bytes);
        let heads = serde_json::to_value(decode_link_heads(&fixture.bytes).unwrap()).unwrap();
        let (whole, heads) = (whole.as_array().unwrap(), heads.as_array().unwrap());
        assert_eq!(heads.len(), whole.len(), "{}", fixture.name);
        for (head, full) in heads.iter().zip(whole) {
            if full["kind"] != "link" {
                assert_eq!(head, full, "{}", fixture.name);
                continue;
            }
            links += 1;
            let mut expected = full.clone();
            let link = expected.as_object_mut().unwrap().remove("link").unwrap();
            expected["kind"] = "linkHead".into();
            expected["head"] = serde_json::json!({ "index": link["index"], "group": link["group"], "alias": link["alias"] });
            assert_eq!(head, &expected, "{}", fixture.name);
        }
    }
    assert!(
        links >= 10,
        "too few link messages among the fixtures: {links}"
    );
}

#[test]
fn every_fixture_round_trips_through_raw() {
    for fixture in fixtures() {
        let raw = decode_raw(&fixture.bytes).unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
        assert_eq!(encode_raw(&raw).unwrap(), fixture.bytes, "{}", fixture.name);
    }
}

#[test]
fn request_fixtures_encode_byte_for_byte() {
    let mut seen = 0;
    for fixture in fixtures() {
        if let Some(requests) = fixture.json.get("requests") {
            let requests: Vec<Request> = serde_json::from_value(requests.clone()).unwrap();
            assert_eq!(
                encode_requests(&requests).unwrap(),
                fixture.bytes,
                "{}",
                fixture.name
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
}

/// A vxlan's, macvlan's or macvtap's options decode as newLink takes them: iproute2's request for one gives back the options that encode to it.
#[test]
fn kind_options_decode_as_they_encode() {
    let mut seen = 0;
    for fixture in fixtures() {
        let Some(Value::Array(requests)) = fixture.json.get("requests") else {
            continue;
        };
        let messages = decoded(&fixture.bytes);
        for (request, message) in requests.iter().zip(messages.as_array().unwrap()) {
            for kind in ["vxlan", "macvlan", "macvtap"] {
                if request["type"] == "newLink" && request["kind"] == kind {
                    assert_eq!(message["link"][kind], request[kind], "{}", fixture.name);
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn raw_view_expands_known_link_nests() {
    let dump = fixtures()
        .into_iter()
        .find(|f| f.name.ends_with("dump-lo-bridge-veth.bin"))
        .unwrap();
    let raw = serde_json::to_value(decode_raw(&dump.bytes).unwrap()).unwrap();
    let bridge = &raw[1]["attrs"];
    let linkinfo = bridge
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == 18)
        .unwrap();
    let info_data = linkinfo["attrs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == 2)
        .unwrap();
    assert!(
        info_data["attrs"].as_array().is_some_and(|a| !a.is_empty()),
        "bridge IFLA_INFO_DATA not expanded"
    );
    let af_spec = bridge
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == 26)
        .unwrap();
    assert!(
        af_spec["attrs"][0]["attrs"].is_array(),
        "IFLA_AF_SPEC families not expanded"
    );
}

/// For a dump read from another namespace (IFLA_TARGET_NETNSID), IFLA_LINK_NETNSID is the
/// asking namespace's id: the nsid fixture named in its provenance (a target's ids, each with the
/// asking namespace's own, NETNSA_CURRENT_NSID) maps it to the id the target itself gives.
fn target_nsid_map(fixture: &Fixture, all: &[Fixture]) -> Option<Vec<(Value, Value)>> {
    let name = fixture.json["provenance"]["linkNetnsidsMappedBy"].as_str()?;
    let map = all
        .iter()
        .find(|f| f.name == format!("{name}.bin"))
        .unwrap();
    Some(
        decoded(&map.bytes)
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "nsid")
            .map(|m| (m["currentNsid"].clone(), m["nsid"].clone()))
            .collect(),
    )
}

/// The decoder's links agree with what iproute2 printed (`ip -j -d link show`) right after the capture.
#[test]
fn dumped_links_agree_with_iproute2() {
    let mut checked = 0;
    let all = fixtures();
    for fixture in all.iter().filter(|f| f.name.starts_with("link/")) {
        let nsids = target_nsid_map(fixture, &all);
        let Some(Value::Array(ip_links)) = fixture.json.get("iproute2Json") else {
            continue;
        };
        let index_of = |name: &Value| {
            ip_links
                .iter()
                .find(|l| &l["ifname"] == name)
                .map(|l| l["ifindex"].clone())
        };
        let messages = decoded(&fixture.bytes);
        let links: Vec<&Value> = messages
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "link")
            .map(|m| &m["link"])
            .collect();
        assert_eq!(links.len(), ip_links.len(), "{}", fixture.name);
        for ip in ip_links {
            let link = links.iter().find(|l| l["index"] == ip["ifindex"]).unwrap();
            let context = format!("{} {}", fixture.name, ip["ifname"]);
            assert_eq!(link["name"], ip["ifname"], "{context}");
            assert_eq!(link["mtu"], ip["mtu"], "{context}");
            assert_eq!(link["mac"], ip["address"], "{context}");
            assert_eq!(
                link["operstate"].as_str().map(str::to_uppercase),
                ip["operstate"].as_str().map(String::from),
                "{context}"
            );
            assert_eq!(
                link["up"],
                Value::Bool(ip["flags"].as_array().unwrap().contains(&"UP".into())),
                "{context}"
            );
            assert_eq!(link["kind"], ip["linkinfo"]["info_kind"], "{context}");
            assert_eq!(
                link["alias"],
                ip.get("ifalias").cloned().unwrap_or(Value::Null),
                "{context}"
            );
            let group = ip["group"].as_str().unwrap();
            assert_eq!(
                link["group"].to_string(),
                if group == "default" { "0" } else { group },
                "{context}"
            );
            assert_eq!(
                link["masterIndex"],
                ip.get("master").and_then(index_of).unwrap_or(Value::Null),
                "{context}"
            );
            let netnsid = match &nsids {
                Some(map) if !link["linkNetnsid"].is_null() => map
                    .iter()
                    .find(|(asking, _)| asking == &link["linkNetnsid"])
                    .map(|(_, own)| own.clone())
                    .unwrap(),
                _ => link["linkNetnsid"].clone(),
            };
            assert_eq!(
                netnsid,
                ip.get("link_netnsid").cloned().unwrap_or(Value::Null),
                "{context}"
            );
            // iproute2 names a parent in this namespace, and gives the index of one in another.
            let parent = ip
                .get("link_index")
                .cloned()
                .or_else(|| ip.get("link").and_then(index_of))
                .unwrap_or(Value::Null);
            assert_eq!(link["parentIndex"], parent, "{context}");
            let data = &ip["linkinfo"]["info_data"];
            let kind = ip["linkinfo"]["info_kind"].as_str();
            let vxlan = if kind == Some("vxlan") {
                vxlan_of(data, &index_of)
            } else {
                Value::Null
            };
            assert_eq!(link["vxlan"], vxlan, "{context}");
            // A macvtap's IFLA_INFO_DATA is a macvlan's, under its own kind's name as newLink takes it.
            for twin in ["macvlan", "macvtap"] {
                let options = if kind == Some(twin) {
                    serde_json::json!({ "mode": data["mode"] })
                } else {
                    Value::Null
                };
                assert_eq!(link[twin], options, "{context}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 4);
}

/// A vxlan's options as iproute2 prints its IFLA_INFO_DATA: each address under its family's name (`remote6`), and
/// the parent by its name here, or as `ifN` when this namespace has no link of that index.
fn vxlan_of(data: &Value, index_of: &dyn Fn(&Value) -> Option<Value>) -> Value {
    let mut vxlan = serde_json::json!({ "id": data["id"], "port": data["port"] });
    for (field, names) in [
        ("remote", ["remote", "remote6"]),
        ("group", ["group", "group6"]),
        ("local", ["local", "local6"]),
    ] {
        if let Some(value) = names.iter().find_map(|n| data.get(*n)) {
            vxlan[field] = value.clone();
        }
    }
    if let Some(link) = data.get("link") {
        let unknown = link
            .as_str()
            .and_then(|l| l.strip_prefix("if"))
            .and_then(|i| i.parse::<u32>().ok());
        vxlan["parentIndex"] = unknown.map(Value::from).or_else(|| index_of(link)).unwrap();
    }
    vxlan
}

/// Decoding must finish with Ok or Err; whenever decode_raw accepts bytes, encode_raw must give them back.
fn survives(bytes: &[u8]) {
    let _ = decode_messages(bytes);
    if let Ok(raw) = decode_raw(bytes) {
        assert_eq!(encode_raw(&raw).unwrap(), bytes);
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    let started = Instant::now();
    for fixture in fixtures() {
        for len in 0..fixture.bytes.len() {
            survives(&fixture.bytes[..len]);
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn mutated_fixtures_never_panic() {
    // xorshift64: deterministic, so a failure reproduces.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = Instant::now();
    for fixture in fixtures() {
        for _ in 0..3000 {
            let mut bytes = fixture.bytes.clone();
            for _ in 0..=next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            survives(&bytes);
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60));
}

fn decoded_bodies(fixture: &Fixture, kind: &str) -> Vec<Value> {
    decoded(&fixture.bytes)
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == kind)
        .map(|m| m[kind].clone())
        .collect()
}

/// The decoder's addresses agree with `ip -j addr show` taken right after the capture.
#[test]
fn dumped_addresses_agree_with_iproute2() {
    let dump = fixtures()
        .into_iter()
        .find(|f| f.name == "addr/dump-ipv4-ipv6.bin")
        .unwrap();
    let addresses = decoded_bodies(&dump, "address");
    let mut checked = 0;
    for link in dump.json["iproute2Json"].as_array().unwrap() {
        for ip in link["addr_info"].as_array().unwrap() {
            let family = if ip["family"] == "inet" { 2 } else { 10 };
            // iproute2 shows IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL (IPv6).
            let found = addresses.iter().find(|a| {
                a["index"] == link["ifindex"]
                    && a["family"] == family
                    && a["prefixLen"] == ip["prefixlen"]
                    && (if a["local"].is_null() {
                        &a["address"]
                    } else {
                        &a["local"]
                    }) == &ip["local"]
            });
            assert!(found.is_some(), "{} {}", link["ifname"], ip["local"]);
            checked += 1;
        }
    }
    assert_eq!(checked, addresses.len());
}

/// The decoder's routes agree with `ip -j [-6] route show table all` taken right after the capture.
#[test]
fn dumped_routes_agree_with_iproute2() {
    for (name, family) in [("route/dump-ipv4.bin", 2), ("route/dump-ipv6.bin", 10)] {
        let dump = fixtures().into_iter().find(|f| f.name == name).unwrap();
        let routes = decoded_bodies(&dump, "route");
        let is_v6 = |r: &Value| {
            let text = r["dst"].as_str().unwrap();
            text.contains(':') || r["gateway"].as_str().is_some_and(|g| g.contains(':'))
        };
        let expected: Vec<&Value> = dump.json["iproute2Json"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| is_v6(r) == (family == 10))
            .collect();
        assert_eq!(routes.len(), expected.len(), "{name}");
        for ip in expected {
            let (dst, len) = match ip["dst"].as_str().unwrap() {
                "default" => (Value::Null, 0),
                text => match text.split_once('/') {
                    Some((dst, len)) => (dst.into(), len.parse().unwrap()),
                    None => (text.into(), if family == 2 { 32 } else { 128 }),
                },
            };
            let table = match ip["table"].as_str() {
                None => 254,
                Some("local") => 255,
                Some(id) => id.parse().unwrap(),
            };
            let found = routes.iter().find(|r| {
                r["dst"] == dst
                    && r["dstLen"] == len
                    && r["table"] == table
                    && r["gateway"] == ip.get("gateway").cloned().unwrap_or(Value::Null)
                    && r["metric"] == ip.get("metric").cloned().unwrap_or(Value::Null)
            });
            assert!(found.is_some(), "{name}: {ip}");
        }
    }
}

/// Every kind of request the codec encodes has at least one iproute2 vector.
#[test]
fn every_request_kind_has_a_vector() {
    let mut kinds: Vec<String> = fixtures()
        .iter()
        .filter_map(|f| f.json.get("requests"))
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|r| r["type"].as_str().unwrap().to_string())
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "delAddr",
            "delLink",
            "delRoute",
            "getAddrDump",
            "getLink",
            "getLinkDump",
            "getNeighDump",
            "getNsid",
            "getNsidDump",
            "getRouteDump",
            "newAddr",
            "newLink",
            "newNsid",
            "newRoute",
            "setLink",
            "setLinkNs"
        ]
    );
}

/// Every link kind (a file of src/link/kinds/) has its `ip link add ... type KIND` vector.
#[test]
fn every_link_kind_has_a_vector() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let requested: Vec<String> = fixtures()
        .iter()
        .filter_map(|f| f.json.get("requests"))
        .flat_map(|r| r.as_array().unwrap().clone())
        .filter(|r| r["type"] == "newLink")
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect();
    let mut kinds = 0;
    for entry in fs::read_dir(root.join("src/link/kinds")).unwrap() {
        let path = entry.unwrap().path();
        let kind = path.file_stem().unwrap().to_str().unwrap();
        if kind != "mod" {
            assert!(
                requested.iter().any(|k| k == kind),
                "no newLink vector of kind {kind:?} in fixtures/"
            );
            kinds += 1;
        }
    }
    assert!(kinds >= 8);
}
