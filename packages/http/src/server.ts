/**
 * The HTTP adapter: authenticates, validates, calls core and maps its error
 * codes to statuses. It controls the host's network as root, so it listens on
 * loopback (or a private unix socket) by default, needs a token, caps bodies,
 * connections and the time each may take, and drains before it stops.
 */
import { createServer as httpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultPool, nsDoOn, type Pool, toErrorJSON, ValidationError } from "@neslink/core";
import { listenUnix } from "@neslink/core/unix-socket";
import { bearer, checkToken } from "./auth.js";
import { hangUpAtClientEnd } from "./client-end.js";
import { readJson } from "./body.js";
import { Connections } from "./connections.js";
import { drain } from "./drain.js";
import { HttpError } from "./http-error.js";
import { type Limits, limits, whole } from "./limits.js";
import { markWhileListening } from "./mark.js";
import { type Context, pathOf, type Reply, router } from "./router.js";
import { routes } from "./routes/index.js";
import { validate } from "./schema.js";
import { statusOf } from "./status.js";
import { refuseBody, refuseQuery } from "./unasked.js";

export interface ServerOptions extends Partial<Limits> {
  /** The bearer token every client must send (at least 16 characters, one line of visible ASCII). Required. */
  token: string;
  /** Enables POST /v1/namespaces/{name}/exec (403 otherwise). */
  allowExec?: boolean;
  /** Larger bodies get 413 (default 64 KiB). */
  maxBodyBytes?: number;
  /** The pool core's work runs on (default: core's default pool). */
  pool?: Pool;
}

/** The API's server: a node:http Server that can also drain. */
export interface NeslinkServer extends Server {
  /**
   * Stops accepting connections, answers every request already received (a
   * request whose change has not begun gets 503, one that has is finished),
   * closes idle connections and resolves once none is open. Past `timeoutMs`
   * (default: the drainTimeoutMs option) it closes the rest and rejects with
   * ERR_DRAIN_TIMEOUT naming the requests cut. It does not close the pool.
   */
  drain(timeoutMs?: number): Promise<void>;
}

export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7470; 0 picks a free port. */
  port?: number;
  /**
   * Listen on this unix socket path instead of TCP. The socket is created
   * mode 0600; a stale socket there (nothing listening) is replaced, anything
   * else at the path is refused.
   */
  socket?: string;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const MAX_BODY = 1 << 30;
/** Every option: one misspelt (`allowexec`) is refused rather than left to its default without a word. */
const OPTION_FIELDS = Object.keys({
  token: true,
  allowExec: true,
  maxBodyBytes: true,
  pool: true,
  maxConnections: true,
  headersTimeoutMs: true,
  requestTimeoutMs: true,
  keepAliveTimeoutMs: true,
  drainTimeoutMs: true,
} satisfies Record<keyof ServerOptions, true>);
/** Node checks header and request timeouts only this often (its default, 30 s, let a drip run to twice the timeout). */
const MAX_CHECK_INTERVAL_MS = 1_000;

/** The answer to a request that arrives while the server drains: nothing was changed, retry elsewhere or later. */
const SHUTTING_DOWN: Reply = {
  status: 503,
  body: { error: toErrorJSON(new HttpError("ERR_SHUTTING_DOWN", "the server is shutting down; nothing was changed")) },
  headers: { connection: "close" },
};

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

/** A node:http server for the API, not yet listening (see `listen`). Throws if no usable token or a bad limit is given. */
export function createServer(options: ServerOptions): NeslinkServer {
  checkToken(options?.token, "token");
  for (const key of Object.keys(options)) {
    if (!OPTION_FIELDS.includes(key)) throw new ValidationError(key, `is not an option (expected ${OPTION_FIELDS.join(", ")})`);
  }
  // Only a boolean: a truthy string ("false", from an environment variable) would enable running commands as root.
  if (options.allowExec !== undefined && typeof options.allowExec !== "boolean") {
    throw new ValidationError("allowExec", `must be true or false, got ${JSON.stringify(options.allowExec)}`);
  }
  const limit = limits(options);
  const authorize = bearer(options.token);
  const match = router(routes);
  const maxBody = whole("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY, 1, MAX_BODY);
  // Looked up per request, so creating a server does not start the pool's threads.
  const pool = () => options.pool ?? defaultPool();

  async function answer(req: IncomingMessage, res: ServerResponse, gone: AbortController): Promise<Reply> {
    const { signal } = gone;
    const { route, params } = match(req.method ?? "GET", pathOf(req.url ?? "/"));
    if (!route.public) authorize(req);
    if (route.exec && !options.allowExec) {
      throw new HttpError("ERR_EXEC_DISABLED", "command execution is disabled (start the server with exec allowed)");
    }
    refuseQuery(req.url ?? "/");
    if (!route.body) refuseBody(req.method ?? "GET", req.headers);
    if (route.exec) hangUpAtClientEnd(req, res, () => gone.abort("SIGHUP"));
    const context: Context = {
      param: (name) => params[name] ?? "",
      body: route.body ? validate(route.body, await readJson(req, maxBody)) : undefined,
      nsDo: (provider, ...actions) => nsDoOn(pool(), provider, ...actions),
      pool,
      signal,
    };
    // The last moment to refuse: past it the change may be under way, and is finished instead.
    if (draining !== undefined) return SHUTTING_DOWN;
    return route.handle(context);
  }

  const server = httpServer(
    {
      headersTimeout: limit.headersTimeoutMs,
      requestTimeout: limit.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, limit.headersTimeoutMs),
    },
    (req, res) => {
      if (!connections.begin(req, res)) return;
      const reply = (r: Reply) => send(res, draining === undefined ? r : { ...r, headers: { ...r.headers, connection: "close" } });
      const gone = new AbortController();
      // The connection closed before the answer was written: no one is waiting for it.
      res.once("close", () => res.writableEnded || gone.abort("SIGHUP"));
      answer(req, res, gone).then(reply, (err: unknown) => reply(errorReply(err)));
    },
  );
  server.keepAliveTimeout = limit.keepAliveTimeoutMs;
  // A client that half-closes once its request is sent still reads the answer (see client-end.ts). Left false,
  // node:http ends the connection at the client's FIN, and the response in progress has nowhere to go. With it,
  // node:http answers what it read, then closes. Not in the typings, but node:http's own (its tests set it);
  // half-close.test.ts checks it still works.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  const connections = new Connections(server, limit.maxConnections);
  markWhileListening(server);
  let draining: Promise<void> | undefined;
  return Object.assign(server, {
    drain(timeoutMs = limit.drainTimeoutMs): Promise<void> {
      draining ??= drain(server, connections, timeoutMs);
      return draining;
    },
  });
}

/** Starts listening; resolves with where: "http://HOST:PORT" or the socket path. */
export async function listen(server: Server, options: ListenOptions = {}): Promise<string> {
  if (options.socket !== undefined) {
    await listenUnix(server, options.socket);
    return options.socket;
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const ready = () => {
      server.off("error", reject);
      resolve();
    };
    server.listen(options.port ?? 7470, options.host ?? "127.0.0.1", ready);
  });
  const { address, port, family } = server.address() as AddressInfo;
  return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
}
