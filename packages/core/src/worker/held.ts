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

/**
 * How the workers of one pool share the descriptor limit. Each publishes
 * how many namespaces it holds; all together hold at most a shared cap. A
 * worker out of descriptors with nothing of its own left to close halves the
 * cap, asks the others to get under it, and waits a little for them. The cap
 * never grows back: the process's limit does not either.
 */
export interface Pressure {
  /** See PRESSURE_* for its cells. */
  cells: Int32Array;
  /** This worker's cell among PRESSURE_HELD... */
  index: number;
  /** Tells the other workers now, even idle ones (they would notice only when their next task starts). */
  ask: () => void;
}

/** Cell of the cap on namespaces held by all workers together. */
export const PRESSURE_CAP = 0;
/** First of the cells (one per worker, by index) with how many namespaces that worker holds. */
export const PRESSURE_HELD = 1;

/** How long a worker out of descriptors waits for the others to close theirs, in steps; it asks again every PRESSURE_ASK_MS. */
const PRESSURE_WAIT_MS = 1000;
const PRESSURE_STEP_MS = 10;
const PRESSURE_ASK_MS = 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function heldByAll(cells: Int32Array): number {
  let sum = 0;
  for (let i = PRESSURE_HELD; i < cells.length; i++) sum += Atomics.load(cells, i);
  return sum;
}

function outOfDescriptors(err: unknown): boolean {
  return err instanceof SystemCallError && (err.code === "EMFILE" || err.code === "ENFILE");
}

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
  readonly #pressure: Pressure;
  #task = 0;

  constructor(max: number, idleMs: number, owned: DescriptorBits, pressure: Pressure) {
    this.#open = new LruMap(max);
    this.#idleMs = idleMs;
    this.#owned = owned;
    this.#pressure = pressure;
  }

  /** A new task starts: what it uses from now on is never closed to make room while it runs. */
  beginTask(): void {
    this.#task++;
  }

  /** The task is over: what it used may be closed to make room. */
  endTask(): void {
    this.#task++;
  }

  /**
   * Runs `open` (which opens a descriptor); when the process has none left
   * (EMFILE, ENFILE), closes what is held for namespaces the current task
   * does not use, least recently used first, and tries again; with nothing
   * left to close, asks the other workers to close theirs and waits for them
   * (up to PRESSURE_WAIT_MS) before giving up.
   */
  roomFor<T>(open: () => T): T {
    for (let waited = 0; ; ) {
      try {
        return open();
      } catch (err) {
        if (!outOfDescriptors(err)) throw err;
        if (this.#releaseOldest()) continue;
        if (waited >= PRESSURE_WAIT_MS) throw err;
        if (waited % PRESSURE_ASK_MS === 0) {
          const { cells } = this.#pressure;
          Atomics.store(cells, PRESSURE_CAP, Math.max(1, Math.min(Atomics.load(cells, PRESSURE_CAP), Math.floor(heldByAll(cells) / 2))));
          this.#pressure.ask();
        }
        // This thread has nothing to do until another closes something: block it (a worker may).
        Atomics.wait(sleeper, 0, 0, PRESSURE_STEP_MS);
        waited += PRESSURE_STEP_MS;
      }
    }
  }

  /** While all workers together hold more than the cap, closes what this one holds and the current task does not use. */
  relieve(): void {
    const { cells } = this.#pressure;
    while (heldByAll(cells) > Atomics.load(cells, PRESSURE_CAP) && this.#releaseOldest());
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
    const known = this.#open.peek(key);
    const held = known ?? { used: 0, task: 0 };
    held.used = Date.now();
    held.task = this.#task;
    const evicted = this.#open.set(key, held);
    if (evicted) this.#release(evicted[1]);
    if (!known) {
      this.#published();
      this.relieve();
    }
    return held;
  }

  /** Publishes how many namespaces this worker holds. */
  #published(): void {
    Atomics.store(this.#pressure.cells, PRESSURE_HELD + this.#pressure.index, this.#open.size);
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
    this.#published();
    if (held.socket) {
      this.#owned.delete(held.socket.fd);
      held.socket.close();
    }
    if (held.fd !== undefined) this.close(held.fd);
  }
}
