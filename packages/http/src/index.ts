/**
 * @neslink/http — a self-hosted HTTP API over @neslink/core.
 *
 * ```ts
 * import { createServer, listen } from "@neslink/http";
 * const server = createServer({ token: process.env.NESLINK_HTTP_TOKEN! });
 * console.log(await listen(server)); // http://127.0.0.1:7470
 * ```
 *
 * The routes are described by `openapi` (also served at GET /v1/openapi.json).
 */
export { openapi } from "./openapi.js";
export { createServer, type ListenOptions, listen, type ServerOptions } from "./server.js";
export { STATUS_BY_CODE, statusOf } from "./status.js";
