/**
 * What a worker keeps open per namespace ("dev:ino"): a descriptor to enter
 * it without a path lookup, and its netlink socket. Either keeps the
 * namespace alive, so the set is bounded (least recently used closed first),
 * idle entries are closed, and deleted namespaces are forgotten.
 */
import { SystemCallError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { LruMap } from "../lru-map.js";
import { NetlinkSocket } from "../netlink/socket.js";
import type { DescriptorBits } from "./descriptors.js";

interface Held {
  fd?: number;
  socket?: NetlinkSocket;
  used: number;
  /** The task that used it last (see beginTask). */
  task: number;
}

export class HeldNamespaces {
  readonly #open: LruMap<string, Held>;
  readonly #idleMs: number;
  readonly #owned: DescriptorBits;
  #task = 0;

  constructor(max: number, idleMs: number, owned: DescriptorBits) {
    this.#open = new LruMap(max);
    this.#idleMs = idleMs;
    this.#owned = owned;
  }

  /** A new task starts: what it uses from now on is never closed to make room while it runs. */
  beginTask(): void {
    this.#task++;
  }

  /**
   * Runs `open` (which opens a descriptor); when the process has none left
   * (EMFILE, ENFILE), closes what is held for namespaces the current task
   * does not use, least recently used first, and tries again.
   */
  roomFor<T>(open: () => T): T {
    for (;;) {
      try {
        return open();
      } catch (err) {
        if (!(err instanceof SystemCallError && (err.code === "EMFILE" || err.code === "ENFILE")) || !this.#releaseOldest()) throw err;
      }
    }
  }

  /** Records `fd` as this worker's to close (see DescriptorBits); returns it. */
  own(fd: number): number {
    return this.#owned.add(fd);
  }

  /** Closes a descriptor recorded with `own`. */
  close(fd: number): void {
    this.#owned.delete(fd);
    libc.close(fd);
  }

  /** `fd` goes to the user: no longer this worker's to close. */
  handOver(fd: number): void {
    this.#owned.delete(fd);
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
      const socket = this.roomFor(() => new NetlinkSocket());
      held.socket = socket;
      this.own(socket.fd);
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

  /** Keeps `fd` (opened with `own`, now owned here) as the way into `key`. */
  hold(key: string, fd: number): void {
    const held = this.#touch(key);
    if (held.fd !== undefined && held.fd !== fd) this.close(held.fd);
    held.fd = fd;
  }

  forget(key: string): void {
    const held = this.#open.delete(key);
    if (held) this.#release(held);
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
    const held = this.#open.peek(key) ?? { used: 0, task: 0 };
    held.used = Date.now();
    held.task = this.#task;
    const evicted = this.#open.set(key, held);
    if (evicted) this.#release(evicted[1]);
    return held;
  }

  /** Closes the least recently used entry the current task has not used; false if there is none. */
  #releaseOldest(): boolean {
    for (const [key, held] of this.#open.entries()) {
      if (held.task === this.#task) continue;
      this.forget(key);
      return true;
    }
    return false;
  }

  #release(held: Held): void {
    if (held.socket) {
      this.#owned.delete(held.socket.fd);
      held.socket.close();
    }
    if (held.fd !== undefined) this.close(held.fd);
  }
}
