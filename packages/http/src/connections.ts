/**
 * The server's open connections and the requests each is serving. It caps
 * how many there are: a connection with no request in progress (fresh, still
 * sending its headers, or idle between keep-alive requests) costs a client
 * nothing to hold, so at the cap the oldest such one is closed to let a new
 * one in, and idle clients cannot lock out the ones with real requests. Only
 * when every connection is busy is a new one refused.
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

export class Connections {
  readonly #max: number;
  /** Each open connection and its requests in progress; a Map keeps them oldest first. */
  readonly #open = new Map<Socket, Set<IncomingMessage>>();
  readonly #emptied: (() => void)[] = [];

  constructor(server: Server, max: number) {
    this.#max = max;
    server.on("connection", (socket: Socket) => this.#admit(socket));
  }

  #admit(socket: Socket): void {
    if (this.#open.size >= this.#max) {
      const idle = this.#idle()[0];
      if (idle === undefined) {
        socket.end(BUSY_REPLY, () => socket.destroy());
        return;
      }
      this.#close(idle);
    }
    this.#open.set(socket, new Set());
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

  #idle(): Socket[] {
    return [...this.#open].filter(([, requests]) => requests.size === 0).map(([socket]) => socket);
  }

  /**
   * Records a request as in progress until its response is done; false for
   * one that came on a connection refused at the cap (it must not be served).
   */
  begin(req: IncomingMessage, res: ServerResponse): boolean {
    const requests = this.#open.get(req.socket);
    if (requests === undefined) return false;
    requests.add(req);
    res.once("close", () => requests.delete(req));
    return true;
  }

  get size(): number {
    return this.#open.size;
  }

  /** The requests in progress, as "METHOD /path". */
  running(): string[] {
    return [...this.#open.values()].flatMap((requests) => [...requests].map((req) => `${req.method} ${req.url?.split("?")[0]}`));
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
