//! JSON in and out of the boundary; input errors name the list element at fault.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fault::EncodeError;

/// Parses a JSON array; an error says which element, `name[i]`, is at fault.
pub fn parse_list<T: DeserializeOwned>(json: &str, name: &str) -> Result<Vec<T>, EncodeError> {
    // One pass in the common case; only a failure pays for the element-wise parse that names the culprit.
    serde_json::from_str(json).or_else(|_| parse_each(json, name))
}

fn parse_each<T: DeserializeOwned>(json: &str, name: &str) -> Result<Vec<T>, EncodeError> {
    let items: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| EncodeError::new(name, format!("not a JSON array: {e}")))?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::from_value(item)
                .map_err(|e| EncodeError::new(format!("{name}[{i}]"), e.to_string()))
        })
        .collect()
}

pub fn to_json<T: Serialize>(value: &T) -> String {
    // Only maps with non-string keys fail to serialise, and no boundary type has one.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Request;

    #[test]
    fn a_valid_list_parses_in_order() {
        let list: Vec<Request> = parse_list(
            r#"[{"type":"getLinkDump","seq":1},{"type":"getAddrDump","seq":2,"family":2}]"#,
            "requests",
        )
        .unwrap();
        assert_eq!(
            list,
            vec![
                Request::GetLinkDump {
                    seq: 1,
                    pid: 0,
                    ext_mask: None,
                    target_nsid: None
                },
                Request::GetAddrDump {
                    seq: 2,
                    pid: 0,
                    family: 2,
                    target_nsid: None
                },
            ]
        );
    }

    #[test]
    fn values_become_json_text() {
        assert_eq!(to_json(&serde_json::json!([{ "a": 1 }])), r#"[{"a":1}]"#);
    }

    #[test]
    fn an_error_names_the_element_at_fault() {
        let err = parse_list::<Request>(
            r#"[{"type":"getLinkDump","seq":1},{"type":"getLink","seq":"two"}]"#,
            "requests",
        )
        .unwrap_err();
        assert_eq!(err.path, "requests[1]");
        let err = parse_list::<Request>(r#"{"type":"getLinkDump"}"#, "requests").unwrap_err();
        assert_eq!(err.path, "requests");
    }
}
