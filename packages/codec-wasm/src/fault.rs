//! The two error kinds that cross the boundary, each saying what and where.

use std::fmt;

/// Malformed bytes: `offset` is the absolute byte offset in the decoded buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub what: String,
}

impl DecodeError {
    pub fn new(offset: usize, what: impl Into<String>) -> Self {
        DecodeError {
            offset,
            what: what.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.what)
    }
}

/// An input that cannot be encoded: `path` names the field, e.g. `requests[2].seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub path: String,
    pub what: String,
}

impl EncodeError {
    pub fn new(path: impl Into<String>, what: impl Into<String>) -> Self {
        EncodeError {
            path: path.into(),
            what: what.into(),
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

impl std::error::Error for DecodeError {}
impl std::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_where_then_what() {
        assert_eq!(
            DecodeError::new(20, "too short").to_string(),
            "at byte 20: too short"
        );
        assert_eq!(
            EncodeError::new("requests[1].mac", "not a MAC").to_string(),
            "requests[1].mac: not a MAC"
        );
    }
}
