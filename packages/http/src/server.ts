/**
 * The HTTP adapter: authenticates, validates, calls core and maps its error
 * codes to statuses. It controls the host's network as root, so it listens on
 * loopback (or a unix socket) by default, needs a token and caps bodies.
 */
import { chmod } from "node:fs/promises";
import { createServer as httpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultPool, nsDoOn, type Pool, toErrorJSON, ValidationError } from "@neslink/core";
import { bearer } from "./auth.js";
import { readJson } from "./body.js";
import { HttpError } from "./http-error.js";
import { type Context, type Reply, router } from "./router.js";
import { routes } from "./routes/index.js";
import { validate } from "./schema.js";
import { statusOf } from "./status.js";

export interface ServerOptions {
  /** The bearer token every client must send (at least 16 characters). Required. */
  token: string;
  /** Enables POST /v1/namespaces/{name}/exec (403 otherwise). */
  allowExec?: boolean;
  /** Larger bodies get 413 (default 64 KiB). */
  maxBodyBytes?: number;
  /** The pool core's work runs on (default: core's default pool). */
  pool?: Pool;
}

export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7470; 0 picks a free port. */
  port?: number;
  /** Listen on this unix socket path instead of TCP; it is made mode 0600. */
  socket?: string;
}

const MIN_TOKEN_LENGTH = 16;
const DEFAULT_MAX_BODY = 64 * 1024;

function send(res: ServerResponse, reply: Reply): void {
  const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff", ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function errorReply(err: unknown): Reply {
  return { status: statusOf(err), body: { error: toErrorJSON(err) }, headers: err instanceof HttpError ? { ...err.headers } : {} };
}

/** A node:http server for the API, not yet listening (see `listen`). Throws if no usable token is given. */
export function createServer(options: ServerOptions): Server {
  if (typeof options?.token !== "string" || options.token.length < MIN_TOKEN_LENGTH) {
    throw new ValidationError("token", `is required and must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const authorize = bearer(options.token);
  const match = router(routes);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  // Looked up per request, so creating a server does not start the pool's threads.
  const pool = () => options.pool ?? defaultPool();

  async function answer(req: IncomingMessage): Promise<Reply> {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    const { route, params } = match(req.method ?? "GET", pathname);
    if (!route.public) authorize(req.headers);
    if (route.exec && !options.allowExec) {
      throw new HttpError("ERR_EXEC_DISABLED", "command execution is disabled (start the server with exec allowed)");
    }
    const context: Context = {
      param: (name) => params[name] ?? "",
      body: route.body ? validate(route.body, await readJson(req, maxBody)) : undefined,
      nsDo: (provider, ...actions) => nsDoOn(pool(), provider, ...actions),
    };
    return route.handle(context);
  }

  const server = httpServer((req, res) => {
    answer(req).then(
      (reply) => send(res, reply),
      (err: unknown) => send(res, errorReply(err)),
    );
  });
  // Bounds how long a slow or endless request body can hold a connection.
  server.requestTimeout = 30_000;
  return server;
}

/** Starts listening; resolves with where: "http://HOST:PORT" or the socket path. */
export async function listen(server: Server, options: ListenOptions = {}): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const ready = () => {
      server.off("error", reject);
      resolve();
    };
    if (options.socket !== undefined) server.listen(options.socket, ready);
    else server.listen(options.port ?? 7470, options.host ?? "127.0.0.1", ready);
  });
  if (options.socket !== undefined) {
    await chmod(options.socket, 0o600);
    return options.socket;
  }
  const { address, port, family } = server.address() as AddressInfo;
  return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
}
