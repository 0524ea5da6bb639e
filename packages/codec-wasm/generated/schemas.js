// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
/** JSON Schemas (2020-12) of what decodeMessages returns, by type name. */
export const SCHEMAS = Object.freeze({
  "Address": {
    "description": "RTM_NEWADDR / RTM_DELADDR decoded.",
    "properties": {
      "address": {
        "type": [
          "string",
          "null"
        ]
      },
      "family": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "flags": {
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "index": {
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "label": {
        "type": [
          "string",
          "null"
        ]
      },
      "local": {
        "type": [
          "string",
          "null"
        ]
      },
      "prefixLen": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "scope": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      }
    },
    "required": [
      "index",
      "family",
      "prefixLen",
      "address",
      "local",
      "label",
      "scope",
      "flags"
    ],
    "title": "Address",
    "type": "object"
  },
  "Link": {
    "description": "A link as RTM_NEWLINK / RTM_DELLINK describes it. Absent attributes are null.",
    "properties": {
      "alias": {
        "type": [
          "string",
          "null"
        ]
      },
      "flags": {
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "group": {
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "index": {
        "format": "int32",
        "type": "integer"
      },
      "kind": {
        "type": [
          "string",
          "null"
        ]
      },
      "linkNetnsid": {
        "format": "int32",
        "type": [
          "integer",
          "null"
        ]
      },
      "mac": {
        "type": [
          "string",
          "null"
        ]
      },
      "masterIndex": {
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "mtu": {
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "name": {
        "type": "string"
      },
      "operstate": {
        "description": "IF_OPER_* in kernel order, spelled as iproute2 prints them (lower case).",
        "enum": [
          "unknown",
          "notpresent",
          "down",
          "lowerlayerdown",
          "testing",
          "dormant",
          "up",
          null
        ],
        "type": [
          "string",
          "null"
        ]
      },
      "parentIndex": {
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "up": {
        "type": "boolean"
      }
    },
    "required": [
      "index",
      "name",
      "flags",
      "up",
      "mtu",
      "mac",
      "operstate",
      "kind",
      "masterIndex",
      "alias",
      "group",
      "linkNetnsid",
      "parentIndex"
    ],
    "title": "Link",
    "type": "object"
  },
  "Route": {
    "description": "RTM_NEWROUTE / RTM_DELROUTE decoded.",
    "properties": {
      "dst": {
        "type": [
          "string",
          "null"
        ]
      },
      "dstLen": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "family": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "gateway": {
        "type": [
          "string",
          "null"
        ]
      },
      "metric": {
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "oifIndex": {
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "protocol": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "scope": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "table": {
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "type": {
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      }
    },
    "required": [
      "family",
      "dst",
      "dstLen",
      "gateway",
      "oifIndex",
      "metric",
      "table",
      "protocol",
      "scope",
      "type"
    ],
    "title": "Route",
    "type": "object"
  }
});
