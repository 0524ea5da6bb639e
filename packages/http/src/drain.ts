/**
 * Draining a server before it stops: no new connections, every request
 * already received answered (served if its change had begun, 503 if not),
 * idle connections closed, all within a bound.
 */
import type { Server } from "node:http";
import { Server as NetServer } from "node:net";
import type { Connections } from "./connections.js";
import { HttpError } from "./http-error.js";

/**
 * How long a connection with no request in progress is kept once a drain
 * starts: a request the client already sent may still sit unread in the
 * socket, and closing over unread data resets the connection instead of
 * answering it.
 */
const IDLE_GRACE_MS = 200;

/** The drain ran out of time: what was cut is in the message. */
export class DrainTimeoutError extends HttpError {
  readonly cut: readonly string[];
  constructor(timeoutMs: number, cut: string[], connections: number) {
    const what = cut.length > 0 ? `${cut.length} request(s) cut: ${cut.join(", ")}` : `${connections} connection(s) closed`;
    super("ERR_DRAIN_TIMEOUT", `the drain did not finish within ${timeoutMs} ms; ${what}`);
    this.cut = cut;
  }
}

/**
 * Stops accepting and waits, at most `timeoutMs`, for every connection to
 * close; past that, closes the rest and rejects with DrainTimeoutError.
 * Requests on open connections still arrive: the server must refuse those it
 * has not started (see server.ts).
 */
export async function drain(server: Server, connections: Connections, timeoutMs: number): Promise<void> {
  // net.Server's close, not http.Server's: that one also drops keep-alive connections at once, even with a request unread on them.
  if (server.listening) NetServer.prototype.close.call(server);
  try {
    await closeWithin(connections, timeoutMs);
  } finally {
    stopConnectionChecks(server);
  }
}

/**
 * http.Server's close also stops the interval (unref'd, every second) that
 * checks its connections' timeouts; net.Server's does not, and that interval
 * then kept the drained server, and all it refers to, alive and ticking for
 * the rest of the process: one more per server a program starts and drains.
 * Node keeps it under a symbol of its own (http.server.connectionsCheckingInterval,
 * lib/_http_server.js), with no public way to stop it alone.
 */
function stopConnectionChecks(server: Server): void {
  for (const key of Object.getOwnPropertySymbols(server)) {
    if (key.description === "http.server.connectionsCheckingInterval") clearInterval(Reflect.get(server, key));
  }
}

/** Waits, at most `timeoutMs`, for every connection to close; past that, closes the rest and rejects with DrainTimeoutError. */
async function closeWithin(connections: Connections, timeoutMs: number): Promise<void> {
  // The check phase (setImmediate) follows the poll phase: data already in the sockets has been read and parsed by then.
  const grace = setTimeout(() => setImmediate(() => connections.closeIdle()), Math.min(IDLE_GRACE_MS, timeoutMs));
  let deadline: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    deadline = setTimeout(() => resolve(true), timeoutMs);
  });
  const timedOut = await Promise.race([connections.empty().then(() => false), expired]);
  clearTimeout(grace);
  clearTimeout(deadline);
  if (!timedOut) return;
  const cut = connections.running();
  const open = connections.size;
  connections.closeAll();
  throw new DrainTimeoutError(timeoutMs, cut, open);
}
