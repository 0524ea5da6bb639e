// Entry point of @neslink/codec-wasm: loads the wasm-bindgen build (pkg/codec.js, CommonJS) and speaks JSON to it. Types: index.d.ts.
// CommonJS so that a CommonJS program (the CLI's bin) loads it without Node's ES module loader; index.js re-exports it for ES modules.
"use strict";

/**
 * The wasm module, compiled at the first call rather than at import (~3.5 ms
 * of CPU: reading and validating it): a process that loads a module importing
 * the codec but never encodes (the CLI's main thread while its worker does the
 * work) does not pay it.
 */
let codec;

function load() {
  codec ??= require("./pkg/codec.js");
}

/** A CodecError with a stable code; `cause` carries the codec's own text. */
function codecError(name, code, cause) {
  const error = new Error(`${name}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  error.name = "CodecError";
  error.code = code;
  return error;
}

/**
 * Runs one wasm export. The codec returns an empty result on error and keeps
 * its text for takeError (src/lib.rs says why); a trap (a bug) throws here.
 */
function call(name, code, input) {
  load();
  let output;
  try {
    output = codec[name](input);
  } catch (cause) {
    throw codecError(name, code, cause);
  }
  if (output.length === 0) {
    const text = codec.takeError();
    if (text !== "") throw codecError(name, code, new Error(text));
  }
  return output;
}

exports.load = load;

exports.encodeRequests = function encodeRequests(requests) {
  return call("encodeRequests", "ERR_NETLINK_ENCODE", JSON.stringify(requests));
};

exports.decodeMessages = function decodeMessages(bytes) {
  return JSON.parse(call("decodeMessages", "ERR_NETLINK_DECODE", bytes));
};

exports.decodeLinkHeads = function decodeLinkHeads(bytes) {
  return JSON.parse(call("decodeLinkHeads", "ERR_NETLINK_DECODE", bytes));
};

exports.decodeRaw = function decodeRaw(bytes) {
  return JSON.parse(call("decodeRaw", "ERR_NETLINK_DECODE", bytes));
};

exports.encodeRaw = function encodeRaw(messages) {
  return call("encodeRaw", "ERR_NETLINK_ENCODE", JSON.stringify(messages));
};
