//! neslink's rtnetlink codec: netlink messages to and from the JSON shapes of
//! index.d.ts. Plain Rust modules do the work (and are tested with `cargo
//! test`); this file is the only one that knows about wasm-bindgen. Values
//! cross the boundary as bytes and JSON strings, one call per batch.
//!
//! An error is not thrown from here: the call returns an empty result and
//! `takeError` gives its text, which index.cjs throws as a CodecError. A
//! JsError would need an import from JS, and V8 11 (Node 20) compiles a
//! TurboFan wrapper for each import when it compiles the module: ~1 ms of CPU
//! at a one-shot process's start, for a path only bad input takes.

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

use std::cell::RefCell;
use std::fmt::Display;

use wasm_bindgen::prelude::*;

pub use fault::{DecodeError, EncodeError};
pub use limits::LIMITS;
pub use message::{decode_link_heads, decode_messages, HeadsMessage, Message};
pub use raw::{decode_raw, encode_raw, RawAttr, RawMessage};
pub use request::{encode_requests, Request};

thread_local! {
    /// The text of the last call's error, until `takeError` takes it.
    static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Keeps the error for `takeError`; the call returns the empty result.
fn fail<T: Default>(error: impl Display) -> T {
    ERROR.with(|e| *e.borrow_mut() = error.to_string());
    T::default()
}

/// The last call's error ("" if it had none), once: a call's empty result is
/// an error only if this says so (an empty list of requests encodes to nothing).
#[wasm_bindgen(js_name = takeError)]
pub fn take_error() -> String {
    ERROR.with(|e| std::mem::take(&mut *e.borrow_mut()))
}

/// `requests`: JSON array of Request. Empty on error.
#[wasm_bindgen(js_name = encodeRequests)]
pub fn encode_requests_js(requests: &str) -> Vec<u8> {
    json::parse_list(requests, "requests")
        .and_then(|list| encode_requests(&list))
        .unwrap_or_else(fail)
}

/// Returns a JSON array of Message; empty on error.
#[wasm_bindgen(js_name = decodeMessages)]
pub fn decode_messages_js(bytes: &[u8]) -> String {
    decode_messages(bytes)
        .map(|m| json::to_json(&m))
        .unwrap_or_else(fail)
}

/// Returns a JSON array of LinkHeadMessage | Message; empty on error.
#[wasm_bindgen(js_name = decodeLinkHeads)]
pub fn decode_link_heads_js(bytes: &[u8]) -> String {
    decode_link_heads(bytes)
        .map(|m| json::to_json(&m))
        .unwrap_or_else(fail)
}

/// Returns a JSON array of RawMessage; empty on error.
#[wasm_bindgen(js_name = decodeRaw)]
pub fn decode_raw_js(bytes: &[u8]) -> String {
    decode_raw(bytes)
        .map(|m| json::to_json(&m))
        .unwrap_or_else(fail)
}

/// `messages`: JSON array of RawMessage. Empty on error.
#[wasm_bindgen(js_name = encodeRaw)]
pub fn encode_raw_js(messages: &str) -> Vec<u8> {
    json::parse_list(messages, "messages")
        .and_then(|list| encode_raw(&list))
        .unwrap_or_else(fail)
}
