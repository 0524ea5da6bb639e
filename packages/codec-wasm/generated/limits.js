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

export const LINK_KINDS = Object.freeze(["bridge","dummy","ifb","wireguard","gretap","macvlan","macvtap","veth","vxlan"]);

export const LINK_KIND_RULES = Object.freeze({
  "bridge": {
    "options": "no",
    "parent": "no",
    "schema": null
  },
  "dummy": {
    "options": "no",
    "parent": "no",
    "schema": null
  },
  "gretap": {
    "options": "required",
    "parent": "no",
    "schema": {
      "additionalProperties": false,
      "properties": {
        "local": {
          "type": [
            "string",
            "null"
          ]
        },
        "remote": {
          "type": [
            "string",
            "null"
          ]
        }
      },
      "type": "object"
    }
  },
  "ifb": {
    "options": "no",
    "parent": "no",
    "schema": null
  },
  "macvlan": {
    "options": "optional",
    "parent": "required",
    "schema": {
      "additionalProperties": false,
      "properties": {
        "mode": {
          "description": "The kernel's default is vepa.",
          "enum": [
            "private",
            "vepa",
            "bridge",
            "passthru",
            "source",
            null
          ],
          "type": [
            "string",
            "null"
          ]
        }
      },
      "type": "object"
    }
  },
  "macvtap": {
    "options": "optional",
    "parent": "required",
    "schema": {
      "additionalProperties": false,
      "properties": {
        "mode": {
          "description": "The kernel's default is vepa.",
          "enum": [
            "private",
            "vepa",
            "bridge",
            "passthru",
            "source",
            null
          ],
          "type": [
            "string",
            "null"
          ]
        }
      },
      "type": "object"
    }
  },
  "veth": {
    "options": "required",
    "parent": "no",
    "schema": {
      "additionalProperties": false,
      "properties": {
        "peer": {
          "additionalProperties": false,
          "description": "The other end.",
          "properties": {
            "group": {
              "description": "IFLA_GROUP of the peer end (the group of the end the request names is its own).",
              "format": "uint32",
              "maximum": 4294967295,
              "minimum": 0,
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
            "mtu": {
              "format": "uint32",
              "maximum": 4294967295,
              "minimum": 0,
              "type": [
                "integer",
                "null"
              ]
            },
            "name": {
              "type": "string"
            },
            "nsFd": {
              "description": "Create the peer directly in the namespace open as this fd.",
              "format": "uint32",
              "maximum": 4294967295,
              "minimum": 0,
              "type": [
                "integer",
                "null"
              ]
            }
          },
          "required": [
            "name"
          ],
          "type": "object"
        }
      },
      "required": [
        "peer"
      ],
      "type": "object"
    }
  },
  "vxlan": {
    "options": "required",
    "parent": "optional",
    "schema": {
      "additionalProperties": false,
      "properties": {
        "group": {
          "type": [
            "string",
            "null"
          ]
        },
        "id": {
          "format": "uint32",
          "maximum": 4294967295,
          "minimum": 0,
          "type": "integer"
        },
        "local": {
          "type": [
            "string",
            "null"
          ]
        },
        "parentIndex": {
          "format": "uint32",
          "maximum": 4294967295,
          "minimum": 0,
          "type": [
            "integer",
            "null"
          ]
        },
        "port": {
          "format": "uint32",
          "maximum": 4294967295,
          "minimum": 0,
          "type": [
            "integer",
            "null"
          ]
        },
        "remote": {
          "type": [
            "string",
            "null"
          ]
        }
      },
      "required": [
        "id"
      ],
      "type": "object"
    }
  },
  "wireguard": {
    "options": "no",
    "parent": "no",
    "schema": null
  }
});
