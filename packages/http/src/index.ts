/**
 * @neslink/http — a self-hosted HTTP API over @neslink/core.
 *
 * ```ts
 * import { createServer, listen } from "@neslink/http";
 * const server = createServer({ token: process.env.NESLINK_HTTP_TOKEN! });
 * console.log(await listen(server)); // http://127.0.0.1:7470
 * // On SIGTERM: answer what was received, stop, then end core's workers (closeDefaultPool is core's).
 * process.once("SIGTERM", () => server.drain().then(closeDefaultPool));
 * ```
 *
 * The routes are described by `openapi` (also served at GET /v1/openapi.json).
 */

export { DrainTimeoutError } from "./drain.js";
export type { Limits } from "./limits.js";
export { openapi } from "./openapi.js";
export { createServer, type ListenOptions, listen, type NeslinkServer, type ServerOptions } from "./server.js";
export { STATUS_BY_CODE, statusOf } from "./status.js";
