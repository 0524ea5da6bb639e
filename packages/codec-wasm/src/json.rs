//! JSON in and out of the boundary; input errors name the list element at fault.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fault::EncodeError;

/// Parses a JSON array element by element so an error can say `name[i]`.
pub fn parse_list<T: DeserializeOwned>(json: &str, name: &str) -> Result<Vec<T>, EncodeError> {
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
