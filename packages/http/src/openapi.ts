/** The OpenAPI 3.1 document of the HTTP API, served at GET /v1/openapi.json. */
import { createNamespaceBody, execBody } from "./bodies.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const error = (description: string) => ({ description, ...json(ref("ErrorResponse")) });

const nullable = (type: string) => ({ type: [type, "null"] });

/** Responses every authenticated route can give. */
const authenticated = {
  "401": error("No or wrong bearer token (ERR_UNAUTHORIZED)."),
  "500": error("Any other failure; the error names its code."),
};

const nsName = {
  name: "name",
  in: "path",
  required: true,
  description: "A namespace under /run/netns, as `ip netns` names it.",
  schema: { type: "string" },
};

export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "neslink HTTP API",
    version: "1",
    description:
      "Linux network namespaces and links over HTTP. Every route except health and this document needs `Authorization: Bearer TOKEN`. " +
      "Errors are `{ error: { code, message, field? } }`; the code is stable.",
  },
  security: [{ bearer: [] }],
  paths: {
    "/v1/health": {
      get: {
        operationId: "health",
        security: [],
        responses: { "200": { description: "The server is up.", ...json({ type: "object", properties: { status: { const: "ok" } } }) } },
      },
    },
    "/v1/openapi.json": {
      get: {
        operationId: "openapi",
        security: [],
        responses: { "200": { description: "This document.", ...json({ type: "object" }) } },
      },
    },
    "/v1/namespaces": {
      post: {
        operationId: "createNamespace",
        summary: "Create a named namespace (as `ip netns add`).",
        requestBody: { required: true, ...json(ref("CreateNamespace")) },
        responses: {
          "201": {
            description: "Created.",
            headers: { Location: { schema: { type: "string" } } },
            ...json({ type: "object", required: ["namespace"], properties: { namespace: ref("NamedNs") } }),
          },
          "400": error("Bad body or name; `field` names it (ERR_INVALID_ARGUMENT)."),
          "409": error("A namespace of that name exists (EEXIST)."),
          "413": error("Body too large (ERR_BODY_TOO_LARGE)."),
          "415": error("Body is not application/json (ERR_UNSUPPORTED_MEDIA_TYPE)."),
          ...authenticated,
        },
      },
    },
    "/v1/namespaces/{name}": {
      delete: {
        operationId: "deleteNamespace",
        summary: "Delete a named namespace (as `ip netns del`).",
        parameters: [nsName],
        responses: {
          "204": { description: "Deleted; the kernel frees it once nothing holds it." },
          "400": error("Bad name (ERR_INVALID_ARGUMENT)."),
          "404": error("No such namespace (ERR_NS_NOT_FOUND)."),
          ...authenticated,
        },
      },
    },
    "/v1/namespaces/{name}/links": {
      get: {
        operationId: "listLinks",
        parameters: [nsName],
        responses: {
          "200": {
            description: "Every link in the namespace.",
            ...json({ type: "object", required: ["links"], properties: { links: { type: "array", items: ref("Link") } } }),
          },
          "400": error("Bad name (ERR_INVALID_ARGUMENT)."),
          "404": error("No such namespace (ERR_NS_NOT_FOUND)."),
          ...authenticated,
        },
      },
    },
    "/v1/namespaces/{name}/links/{link}": {
      get: {
        operationId: "getLink",
        parameters: [
          nsName,
          { name: "link", in: "path", required: true, description: "Link name (at most 15 bytes).", schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "The link.", ...json({ type: "object", required: ["link"], properties: { link: ref("Link") } }) },
          "400": error("Bad namespace or link name (ERR_INVALID_ARGUMENT)."),
          "404": error("No such namespace or link (ERR_NS_NOT_FOUND, ERR_LINK_NOT_FOUND)."),
          ...authenticated,
        },
      },
    },
    "/v1/namespaces/{name}/exec": {
      post: {
        operationId: "exec",
        summary: "Run a program inside the namespace. Disabled unless the server was started with exec allowed.",
        parameters: [nsName],
        requestBody: { required: true, ...json(ref("Exec")) },
        responses: {
          "200": {
            description:
              "The program ran to its end (whatever its exit status); its output is collected, at most 1 MiB of stdout and stderr together. " +
              "The request holds no worker while the program runs: other requests for the namespace are answered meanwhile.",
            ...json({ type: "object", required: ["result"], properties: { result: ref("ExecResult") } }),
          },
          "400": error("Bad body or name (ERR_INVALID_ARGUMENT)."),
          "403": error("Command execution is disabled (ERR_EXEC_DISABLED), or the program is not runnable (EACCES)."),
          "404": error("No such namespace (ERR_NS_NOT_FOUND), or no such program in PATH (ENOENT)."),
          "422": error("The program wrote more than 1 MiB; it was killed (ERR_EXEC_MAX_BUFFER)."),
          "413": error("Body too large (ERR_BODY_TOO_LARGE)."),
          "415": error("Body is not application/json (ERR_UNSUPPORTED_MEDIA_TYPE)."),
          ...authenticated,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      CreateNamespace: createNamespaceBody,
      Exec: execBody,
      NamedNs: {
        type: "object",
        required: ["name", "path"],
        properties: { name: { type: "string" }, path: { type: "string" } },
      },
      Link: {
        type: "object",
        description: "A link as the kernel reports it (RTM_NEWLINK); absent attributes are null.",
        required: [
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
          "parentIndex",
        ],
        properties: {
          index: { type: "integer" },
          name: { type: "string" },
          flags: { type: "integer", description: "ifi_flags (IFF_*)." },
          up: { type: "boolean", description: "IFF_UP is set." },
          mtu: nullable("integer"),
          mac: { ...nullable("string"), description: "Lower-case colon hex." },
          operstate: {
            type: ["string", "null"],
            enum: ["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up", null],
          },
          kind: { ...nullable("string"), description: "IFLA_INFO_KIND, e.g. bridge, veth; null for lo and physical links." },
          masterIndex: nullable("integer"),
          alias: nullable("string"),
          group: { type: "integer" },
          linkNetnsid: nullable("integer"),
          parentIndex: nullable("integer"),
        },
      },
      ExecResult: {
        type: "object",
        required: ["pid", "status", "signal", "stdout", "stderr"],
        properties: {
          pid: { type: "integer" },
          status: { ...nullable("integer"), description: "Exit status, or null if a signal ended the program." },
          signal: nullable("string"),
          stdout: { type: "string" },
          stderr: { type: "string" },
        },
      },
      ErrorResponse: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["name", "code", "message"],
            properties: {
              name: { type: "string" },
              code: { type: "string", description: "Stable: ERR_* from neslink, or an errno name such as EEXIST." },
              message: { type: "string" },
              field: { type: "string", description: "For ERR_INVALID_ARGUMENT: the field at fault." },
              cause: { $ref: "#/components/schemas/ErrorResponse/properties/error" },
            },
          },
        },
      },
    },
  },
} as const;
