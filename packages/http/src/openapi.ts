/**
 * The OpenAPI 3.1 document of the HTTP API, served at GET /v1/openapi.json.
 * Response shapes come from their one source: Link, Address, Route,
 * Neighbour and Netns from core's shapes (what the CLI's --json prints too, named as
 * `ip -j` names them: SHAPE_SCHEMAS), the error body from core's ErrorJSON (a
 * field missing here fails typecheck).
 */

import { type ErrorJSON, SHAPE_SCHEMAS } from "@neslink/core";
import { createNamespaceBody, execBody, namespaceName } from "./bodies.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const error = (description: string) => ({ description, ...json(ref("ErrorResponse")) });

const nullable = (type: string) => ({ type: [type, "null"] });

/** Exec's output is JSON text: bytes that are not UTF-8 cannot pass unchanged, and the client should know. */
const UTF8_OUTPUT = "The program's output decoded as UTF-8: bytes that are not valid UTF-8 become U+FFFD.";

/** What every route refuses (see unasked.ts): no route takes a query parameter. */
const NO_QUERY = "a query parameter (none is known; `field` is `query.NAME`)";
/** And a route without a request body takes none. */
const NO_QUERY_OR_BODY = `${NO_QUERY}, or a body (this route takes none; \`field\` is \`body\`)`;

/** The 400 of a route with a body: what readJson and validate refuse. */
const BAD_BODY = error(
  `Bad body or name: not UTF-8, not JSON, a key given twice in one object (at any depth), the Authorization header given twice, or not what the schema says; \`field\` names the field at fault, as \`argv[1]\` or \`x.y\`; or ${NO_QUERY} (ERR_INVALID_ARGUMENT).`,
);
/** The 400 of a route without a body. */
const badRequest = (what?: string) => error(`${what ? `${what}, ` : "Refused: "}${NO_QUERY_OR_BODY} (ERR_INVALID_ARGUMENT).`);

/** What the server itself answers on any route while it stops or is full (sent with Connection: close). */
const unavailable = {
  "503": error("The server is draining (ERR_SHUTTING_DOWN: nothing was changed) or every connection is busy (ERR_TOO_MANY_CONNECTIONS)."),
};

/** Responses every authenticated route can give. */
const authenticated = {
  "401": error("No or wrong bearer token (ERR_UNAUTHORIZED)."),
  "500": error("Any other failure; the error names its code."),
  ...unavailable,
};

/** A route that opens a named namespace's entry: it may be something else, which is refused and left as it is. */
const notANamespace = {
  "409": error("The entry of that name is not a network namespace (ERR_NOT_A_NAMESPACE): a symlink, FIFO, directory or file."),
};

const nsName = {
  name: "name",
  in: "path",
  required: true,
  description: "A namespace under /run/netns, as `ip netns` names it.",
  schema: namespaceName,
};

/** Every field of an error body (core's ErrorJSON); `satisfies` makes a field added there fail here until documented. */
const errorFields = {
  name: { type: "string", description: "The error class, e.g. ValidationError, NetlinkError." },
  code: { type: "string", description: "Stable: ERR_* from neslink, or an errno name such as EEXIST." },
  message: { type: "string" },
  errno: { type: "integer", description: "Positive errno of a failed system call or netlink request." },
  syscall: { type: "string", description: 'The call that failed, e.g. "setns" or "netlink RTM_NEWLINK".' },
  extAck: { ...nullable("string"), description: "The kernel's extended-ACK text, if it gave one." },
  extAckOffset: { ...nullable("integer"), description: "Byte offset into the request of the attribute at fault." },
  field: { type: "string", description: "For ERR_INVALID_ARGUMENT: the field at fault." },
  actionIndex: { type: "integer", description: "Which action failed (0-based; -1: the provider)." },
  linkActionIndex: { type: "integer", description: "Inside a link action list: which one failed (-1: its link provider)." },
  doneAfter: {
    type: "array",
    items: { type: "integer" },
    description: "Actions after the failed one that were done all the same (links made in one datagram with one gone before its lookup).",
  },
  action: { type: "string", description: "The kind of the action that failed." },
  kind: { type: "string", description: "For ERR_KIND_UNSUPPORTED: the link kind the kernel lacks." },
  returned: { type: "boolean", description: "Whether the worker got back to its original namespace." },
  dir: { type: "string", description: "For ERR_NS_DIR_BUSY: the mount dir whose lock was held." },
  holder: { type: "string", description: 'For ERR_NS_DIR_BUSY: the pid holding it ("" when it could not be named).' },
  cause: { $ref: "#/components/schemas/ErrorResponse/properties/error" },
} as const satisfies Record<keyof ErrorJSON, object>;

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
        responses: {
          "200": { description: "The server is up.", ...json({ type: "object", properties: { status: { const: "ok" } } }) },
          "400": badRequest(),
          ...unavailable,
        },
      },
    },
    "/v1/openapi.json": {
      get: {
        operationId: "openapi",
        security: [],
        responses: { "200": { description: "This document.", ...json({ type: "object" }) }, "400": badRequest(), ...unavailable },
      },
    },
    "/v1/namespaces": {
      get: {
        operationId: "listNamespaces",
        summary: "The named namespaces (as `ip -j netns list`, stale entries left out), sorted by name.",
        responses: {
          "200": {
            description: "Each by its name, with the id the server's namespace gives it where it has one.",
            ...json({ type: "object", required: ["namespaces"], properties: { namespaces: { type: "array", items: ref("Netns") } } }),
          },
          "400": badRequest(),
          ...authenticated,
        },
      },
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
          "400": BAD_BODY,
          "409": error(
            "A namespace of that name exists (ERR_NS_EXISTS), or the entry of that name is something else (ERR_NOT_A_NAMESPACE).",
          ),
          "413": error("Body too large (ERR_BODY_TOO_LARGE)."),
          "415": error("Body is not application/json in UTF-8, or has a Content-Encoding (ERR_UNSUPPORTED_MEDIA_TYPE)."),
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
          "400": badRequest("Bad name"),
          "404": error("No such namespace (ERR_NS_NOT_FOUND)."),
          ...notANamespace,
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
          "400": badRequest("Bad name"),
          "404": error("No such namespace (ERR_NS_NOT_FOUND)."),
          ...notANamespace,
          ...authenticated,
        },
      },
    },
    "/v1/namespaces/{name}/links/{link}": {
      get: {
        operationId: "getLink",
        parameters: [
          nsName,
          { name: "link", in: "path", required: true, description: "Link name (at most 15 bytes; not \"all\" or \"default\", which the kernel refuses).", schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "The link.", ...json({ type: "object", required: ["link"], properties: { link: ref("Link") } }) },
          "400": badRequest("Bad namespace or link name"),
          "404": error("No such namespace or link (ERR_NS_NOT_FOUND, ERR_LINK_NOT_FOUND)."),
          ...notANamespace,
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
          "400": BAD_BODY,
          "403": error("Command execution is disabled (ERR_EXEC_DISABLED), or the program is not runnable (EACCES)."),
          "404": error("No such namespace (ERR_NS_NOT_FOUND), or no such program in PATH (ENOENT)."),
          "422": error("The program wrote more than 1 MiB; it was killed (ERR_EXEC_MAX_BUFFER)."),
          ...notANamespace,
          "413": error("Body too large (ERR_BODY_TOO_LARGE)."),
          "415": error("Body is not application/json in UTF-8, or has a Content-Encoding (ERR_UNSUPPORTED_MEDIA_TYPE)."),
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
      ...SHAPE_SCHEMAS,
      ExecResult: {
        type: "object",
        required: ["pid", "status", "signal", "stdout", "stderr"],
        properties: {
          pid: { type: "integer" },
          status: { ...nullable("integer"), description: "Exit status, or null if a signal ended the program." },
          signal: nullable("string"),
          stdout: { type: "string", description: UTF8_OUTPUT },
          stderr: { type: "string", description: UTF8_OUTPUT },
        },
      },
      ErrorResponse: {
        type: "object",
        required: ["error"],
        properties: { error: { type: "object", required: ["name", "code", "message"], properties: errorFields } },
      },
    },
  },
} as const;
