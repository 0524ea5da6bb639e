//! The neighbour and nsid vectors (fixtures/capture_events.py) against what
//! iproute2 and the capture's own commands say, beyond fixtures.rs's
//! decode-equals-expected check.

use std::fs;
use std::path::Path;

use neslink_codec::decode_messages;
use serde_json::Value;

fn fixture(name: &str) -> (Value, Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let bytes = fs::read(root.join(format!("{name}.bin"))).unwrap();
    let json =
        serde_json::from_str(&fs::read_to_string(root.join(format!("{name}.json"))).unwrap())
            .unwrap();
    (
        serde_json::to_value(decode_messages(&bytes).unwrap()).unwrap(),
        json,
    )
}

/// iproute2's NUD_* names, for the states the capture made.
fn nud(name: &str) -> u64 {
    match name {
        "PERMANENT" => 0x80,
        "STALE" => 0x04,
        other => panic!("state {other} not expected in this capture"),
    }
}

#[test]
fn dumped_neighbours_agree_with_iproute2() {
    let (messages, json) = fixture("neigh/dump-permanent-stale");
    let decoded: Vec<&Value> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "neighbour")
        .collect();
    let shown = json["iproute2Json"].as_array().unwrap();
    // `ip neigh show` hides NOARP multicast entries the dump includes.
    assert!(decoded.len() > shown.len());
    for entry in shown {
        let found = decoded
            .iter()
            .find(|m| m["neighbour"]["dst"] == entry["dst"])
            .unwrap_or_else(|| panic!("{} not decoded", entry["dst"]));
        assert_eq!(found["neighbour"]["mac"], entry["lladdr"]);
        assert_eq!(
            found["neighbour"]["state"],
            nud(entry["state"][0].as_str().unwrap())
        );
    }
}

#[test]
fn neighbour_events_follow_the_commands() {
    let (messages, _) = fixture("neigh/events-new-change-del");
    let seen: Vec<(String, String, Value)> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["neighbour"]["dst"].as_str().unwrap().to_string(),
                m["neighbour"]["mac"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen[0],
        (
            "RTM_NEWNEIGH".into(),
            "10.9.0.3".into(),
            "02:00:00:00:00:04".into()
        )
    );
    assert_eq!(
        seen[1],
        (
            "RTM_NEWNEIGH".into(),
            "10.9.0.3".into(),
            "02:00:00:00:00:05".into()
        )
    );
    assert_eq!(seen.last().unwrap().0, "RTM_DELNEIGH");
}

#[test]
fn nsid_events_give_and_take_back_the_same_id() {
    let (messages, _) = fixture("nsid/events-new-del");
    let names: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["RTM_NEWNSID", "RTM_DELNSID"]);
    assert!(messages[0]["nsid"].as_i64().unwrap() >= 0);
    assert_eq!(messages[0]["nsid"], messages[1]["nsid"]);
}
