// Generated from the Rust types of packages/codec-wasm/src by `NESLINK_REGENERATE=1 cargo test boundary`; do not edit.
/** JSON Schemas (2020-12) of what decodeMessages returns, by type name. */
export const SCHEMAS = Object.freeze({
  "Address": {
    "description": "RTM_NEWADDR / RTM_DELADDR decoded.",
    "properties": {
      "address": {
        "description": "IFA_ADDRESS (for point-to-point links, the peer).",
        "type": [
          "string",
          "null"
        ]
      },
      "family": {
        "description": "2 (AF_INET) or 10 (AF_INET6).",
        "format": "uint8",
        "maximum": 255,
        "minimum": 0,
        "type": "integer"
      },
      "flags": {
        "description": "IFA_FLAGS if present, else ifa_flags (IFA_F_*).",
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
        "description": "IFA_LABEL.",
        "type": [
          "string",
          "null"
        ]
      },
      "local": {
        "description": "IFA_LOCAL.",
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
        "description": "IFLA_IFALIAS.",
        "type": [
          "string",
          "null"
        ]
      },
      "flags": {
        "description": "ifi_flags (IFF_*).",
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "group": {
        "description": "IFLA_GROUP (0 when absent).",
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "index": {
        "format": "int32",
        "type": "integer"
      },
      "kind": {
        "description": "IFLA_INFO_KIND inside IFLA_LINKINFO, e.g. \"bridge\", \"veth\". Null for lo and physical links.",
        "type": [
          "string",
          "null"
        ]
      },
      "linkNetnsid": {
        "description": "IFLA_LINK_NETNSID: the namespace (as seen from this one) that the peer or parent lives in.",
        "format": "int32",
        "type": [
          "integer",
          "null"
        ]
      },
      "mac": {
        "description": "IFLA_ADDRESS as lower-case colon hex, e.g. \"02:00:00:00:00:01\".",
        "type": [
          "string",
          "null"
        ]
      },
      "macvlan": {
        "additionalProperties": false,
        "description": "A macvlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.",
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
        "type": [
          "object",
          "null"
        ]
      },
      "macvtap": {
        "additionalProperties": false,
        "description": "A macvtap's IFLA_INFO_DATA (macvlan's attributes), as the newLink options that would make it; absent for another kind.",
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
        "type": [
          "object",
          "null"
        ]
      },
      "masterIndex": {
        "description": "IFLA_MASTER: index of the bridge (or other master) this link is attached to.",
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
        "description": "IFLA_LINK: the peer's (veth) or parent's (macvlan) index. A vxlan's parent is its `vxlan.parentIndex`.",
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "up": {
        "description": "IFF_UP is set (administratively up).",
        "type": "boolean"
      },
      "vxlan": {
        "additionalProperties": false,
        "description": "A vxlan's IFLA_INFO_DATA, as the newLink options that would make it; absent for another kind.",
        "properties": {
          "group": {
            "type": [
              "string",
              "null"
            ]
          },
          "id": {
            "format": "uint32",
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
            "minimum": 0,
            "type": [
              "integer",
              "null"
            ]
          },
          "port": {
            "format": "uint32",
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
        "type": [
          "object",
          "null"
        ]
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
        "description": "RTA_DST; null for the default route.",
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
        "description": "RTA_GATEWAY.",
        "type": [
          "string",
          "null"
        ]
      },
      "metric": {
        "description": "RTA_PRIORITY.",
        "format": "uint32",
        "minimum": 0,
        "type": [
          "integer",
          "null"
        ]
      },
      "oifIndex": {
        "description": "RTA_OIF.",
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
        "description": "RTA_TABLE if present, else rtm_table.",
        "format": "uint32",
        "minimum": 0,
        "type": "integer"
      },
      "type": {
        "description": "rtm_type (RTN_UNICAST 1, RTN_LOCAL 2, ...).",
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
