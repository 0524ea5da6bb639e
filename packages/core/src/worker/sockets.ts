/**
 * The worker's netlink sockets, one per namespace ("dev:ino"). A socket
 * keeps its namespace alive, so the cache is bounded (least recently used
 * closed first), idle sockets are closed, and deleted namespaces are forgotten.
 */
import { NetlinkSocket } from "../netlink/socket.js";

export class SocketCache {
  readonly #open = new Map<string, { socket: NetlinkSocket; used: number }>();
  readonly #max: number;
  readonly #idleMs: number;

  constructor(max: number, idleMs: number) {
    this.#max = max;
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#open.size;
  }

  /** The socket for `key`, opened in the calling thread's current namespace if there is none yet. */
  get(key: string): NetlinkSocket {
    const hit = this.#open.get(key);
    this.#open.delete(key);
    const socket = hit?.socket ?? new NetlinkSocket();
    this.#open.set(key, { socket, used: Date.now() });
    if (this.#open.size > this.#max) {
      const [oldest] = this.#open.keys();
      if (oldest !== undefined) this.forget(oldest);
    }
    return socket;
  }

  forget(key: string): void {
    this.#open.get(key)?.socket.close();
    this.#open.delete(key);
  }

  sweep(now = Date.now()): void {
    for (const [key, entry] of this.#open) {
      if (now - entry.used >= this.#idleMs) this.forget(key);
    }
  }

  closeAll(): void {
    for (const key of [...this.#open.keys()]) this.forget(key);
  }
}
