// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
/** @type {import("./types.js").Limits} */
export const LIMITS = Object.freeze({
  "ifnameMaxBytes": 15,
  "aliasMaxBytes": 255,
  "indexMin": 1,
  "indexMax": 2147483647,
  "mtuMin": 68,
  "mtuMax": 2147483647,
  "vxlanIdMax": 16777215,
  "portMin": 1,
  "portMax": 65535,
  "tableMin": 1,
  "gretapFamily": 2
});

export const LINK_KINDS = Object.freeze(["bridge","veth","dummy","gretap","wireguard","vxlan","macvlan","ifb"]);

export const MACVLAN_MODES = Object.freeze(["private","vepa","bridge","passthru","source"]);
