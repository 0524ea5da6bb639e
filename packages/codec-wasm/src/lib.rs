//! neslink's rtnetlink codec: netlink messages to and from the JSON shapes of
//! index.d.ts. Plain Rust modules do the work (and are tested with `cargo
//! test`); this file is the only one that knows about wasm-bindgen. Values
//! cross the boundary as bytes and JSON strings, one call per batch.

mod addr;
mod attr;
#[cfg(test)]
mod boundary;
mod encode;
mod error;
mod fault;
mod ip;
mod json;
mod limits;
mod link;
mod message;
mod neigh;
mod nsid;
mod raw;
mod request;
mod route;
mod wire;

use wasm_bindgen::prelude::*;

pub use fault::{DecodeError, EncodeError};
pub use limits::LIMITS;
pub use message::{decode_link_heads, decode_messages, HeadsMessage, Message};
pub use raw::{decode_raw, encode_raw, RawAttr, RawMessage};
pub use request::{encode_requests, Request};

fn js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// `requests`: JSON array of Request.
#[wasm_bindgen(js_name = encodeRequests)]
pub fn encode_requests_js(requests: &str) -> Result<Vec<u8>, JsError> {
    encode_requests(&json::parse_list(requests, "requests").map_err(js_error)?).map_err(js_error)
}

/// Returns a JSON array of Message.
#[wasm_bindgen(js_name = decodeMessages)]
pub fn decode_messages_js(bytes: &[u8]) -> Result<String, JsError> {
    decode_messages(bytes)
        .map(|m| json::to_json(&m))
        .map_err(js_error)
}

/// Returns a JSON array of LinkHeadMessage | Message.
#[wasm_bindgen(js_name = decodeLinkHeads)]
pub fn decode_link_heads_js(bytes: &[u8]) -> Result<String, JsError> {
    decode_link_heads(bytes)
        .map(|m| json::to_json(&m))
        .map_err(js_error)
}

/// Returns a JSON array of RawMessage.
#[wasm_bindgen(js_name = decodeRaw)]
pub fn decode_raw_js(bytes: &[u8]) -> Result<String, JsError> {
    decode_raw(bytes)
        .map(|m| json::to_json(&m))
        .map_err(js_error)
}

/// `messages`: JSON array of RawMessage.
#[wasm_bindgen(js_name = encodeRaw)]
pub fn encode_raw_js(messages: &str) -> Result<Vec<u8>, JsError> {
    encode_raw(&json::parse_list(messages, "messages").map_err(js_error)?).map_err(js_error)
}
