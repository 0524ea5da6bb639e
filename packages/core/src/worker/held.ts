/**
 * What a worker keeps open per namespace ("dev:ino"): a descriptor to enter
 * it without a path lookup, and its netlink socket. Either keeps the
 * namespace alive, so the set is bounded (least recently used closed first),
 * idle entries are closed, and deleted namespaces are forgotten.
 */
import * as libc from "../ffi/libc.js";
import { LruMap } from "../lru-map.js";
import { NetlinkSocket } from "../netlink/socket.js";

interface Held {
  fd?: number;
  socket?: NetlinkSocket;
  used: number;
}

export class HeldNamespaces {
  readonly #open: LruMap<string, Held>;
  readonly #idleMs: number;

  constructor(max: number, idleMs: number) {
    this.#open = new LruMap(max);
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * The socket for `key`. A new one is opened in the calling thread's current
   * namespace, after `enter` (which must put the thread inside `key`).
   */
  socket(key: string, enter: () => void): NetlinkSocket {
    const held = this.#touch(key);
    if (!held.socket) {
      enter();
      held.socket = new NetlinkSocket();
    }
    return held.socket;
  }

  /** Whether anything (descriptor or socket) is held for `key`. */
  has(key: string): boolean {
    return this.#open.has(key);
  }

  /** A held descriptor for `key`, if there is one. */
  fd(key: string): number | undefined {
    return this.#open.has(key) ? this.#touch(key).fd : undefined;
  }

  /** Keeps `fd` (now owned here) as the way into `key`. */
  hold(key: string, fd: number): void {
    const held = this.#touch(key);
    if (held.fd !== undefined && held.fd !== fd) libc.close(held.fd);
    held.fd = fd;
  }

  forget(key: string): void {
    const held = this.#open.delete(key);
    if (held) release(held);
  }

  sweep(now = Date.now()): void {
    for (const [key, held] of this.#open.entries()) {
      if (now - held.used >= this.#idleMs) this.forget(key);
    }
  }

  closeAll(): void {
    for (const [key] of [...this.#open.entries()]) this.forget(key);
  }

  /** Marks `key` most recently used, evicting the least recently used beyond the bound. */
  #touch(key: string): Held {
    const held = this.#open.peek(key) ?? { used: 0 };
    held.used = Date.now();
    const evicted = this.#open.set(key, held);
    if (evicted) release(evicted[1]);
    return held;
  }
}

function release(held: Held): void {
  held.socket?.close();
  if (held.fd !== undefined) libc.close(held.fd);
}
