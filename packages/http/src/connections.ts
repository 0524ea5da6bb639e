/**
 * The server's open connections and the requests each is serving. It caps
 * how many there are: a connection with no request in progress (fresh, still
 * sending its headers, or idle between keep-alive requests) costs a client
 * nothing to hold, so at the cap the oldest such one is closed to let a new
 * one in, and idle clients cannot lock out the ones with real requests. But
 * not one that has been so for less than IDLE_GRACE_MS: a request already
 * sent may be waiting to be read (a burst of hundreds of parallel requests
 * meets the cap before the server has read the first ones), and its client
 * would get no answer at all. When no connection may make way, the new one
 * is refused, with a 503 it can retry on.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Written to a connection refused at the cap: every connection is busy, so none could make way for it. */
const BUSY_BODY = JSON.stringify({
  error: { name: "HttpError", code: "ERR_TOO_MANY_CONNECTIONS", message: "every connection is busy; retry later" },
});
const BUSY_REPLY = [
  "HTTP/1.1 503 Service Unavailable",
  "Connection: close",
  "Retry-After: 1",
  "Content-Type: application/json; charset=utf-8",
  `Content-Length: ${Buffer.byteLength(BUSY_BODY)}`,
  "",
  BUSY_BODY,
].join("\r\n");

/** How long a connection with no request in progress is kept from making way: enough for a client to send one. */
export const IDLE_GRACE_MS = 1000;

interface Open {
  requests: Set<IncomingMessage>;
  /** When it last had no request in progress (opened, or its last response done). */
  idleSince: number;
}

export class Connections {
  readonly #max: number;
  /** Each open connection and its requests in progress; a Map keeps them oldest first. */
  readonly #open = new Map<Socket, Open>();
  readonly #emptied: (() => void)[] = [];

  constructor(server: Server, max: number) {
    this.#max = max;
    server.on("connection", (socket: Socket) => this.#admit(socket));
  }

  #admit(socket: Socket): void {
    if (this.#open.size >= this.#max) {
      const idle = this.#idle(IDLE_GRACE_MS)[0];
      if (idle === undefined) {
        socket.end(BUSY_REPLY, () => socket.destroy());
        return;
      }
      this.#close(idle);
    }
    this.#open.set(socket, { requests: new Set(), idleSince: performance.now() });
    socket.once("close", () => this.#forget(socket));
  }

  #forget(socket: Socket): void {
    if (!this.#open.delete(socket) || this.#open.size > 0) return;
    for (const resolve of this.#emptied.splice(0)) resolve();
  }

  #close(socket: Socket): void {
    this.#forget(socket);
    socket.destroy();
  }

  /** The connections with no request in progress, for `forMs` at least, oldest first. */
  #idle(forMs = 0): Socket[] {
    const before = performance.now() - forMs;
    return [...this.#open].filter(([, c]) => c.requests.size === 0 && c.idleSince <= before).map(([socket]) => socket);
  }

  /**
   * Records a request as in progress until its response is done; false for
   * one that came on a connection refused at the cap (it must not be served).
   */
  begin(req: IncomingMessage, res: ServerResponse): boolean {
    const open = this.#open.get(req.socket);
    if (open === undefined) return false;
    open.requests.add(req);
    res.once("close", () => {
      open.requests.delete(req);
      if (open.requests.size === 0) open.idleSince = performance.now();
    });
    return true;
  }

  get size(): number {
    return this.#open.size;
  }

  /** The requests in progress, as "METHOD /path". */
  running(): string[] {
    return [...this.#open.values()].flatMap(({ requests }) => [...requests].map((req) => `${req.method} ${req.url?.split("?")[0]}`));
  }

  /** Closes every connection with no request in progress; returns how many. */
  closeIdle(): number {
    const idle = this.#idle();
    for (const socket of idle) this.#close(socket);
    return idle.length;
  }

  /** Closes every connection, busy or not. */
  closeAll(): void {
    for (const socket of [...this.#open.keys()]) this.#close(socket);
  }

  /** Settles once no connection is open. */
  empty(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptied.push(resolve));
  }
}
