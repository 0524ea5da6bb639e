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
import { sleepSync } from "../sleep-sync.js";
import type { DescriptorBits } from "./descriptors.js";
import { CONTROL_HELD } from "./protocol.js";

/**
 * How the workers of one pool share the descriptor limit. All together hold
 * at most a shared cap of namespaces. A worker out of descriptors with
 * nothing of its own left to close halves the cap, asks the others to get
 * under it, and waits a little for them. The cap never grows back: the
 * process's limit does not either.
 */
export interface Pressure {
  /** Shared by the pool's workers: see PRESSURE_*. */
  cells: Int32Array;
  /** This worker's control cells: it counts what it holds in CONTROL_HELD, for the pool to take off the total if it dies. */
  own: Int32Array;
  /** Tells the other workers now, even idle ones (they would notice only when their next task starts). */
  ask: () => void;
}

/** Cell of the cap on namespaces held by all workers together. */
export const PRESSURE_CAP = 0;
/** Cell of how many namespaces all workers together hold. */
export const PRESSURE_HELD = 1;
export const PRESSURE_CELLS = 2;

/** How long a worker out of descriptors waits for the others to close theirs, in steps; it asks again every PRESSURE_ASK_MS. */
const PRESSURE_WAIT_MS = 1000;
const PRESSURE_STEP_MS = 10;
const PRESSURE_ASK_MS = 100;

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
  /** Keys that tasks waiting for a program will use again (see pin), and whether they were forgotten meanwhile. */
  readonly #pinned = new Map<string, { pins: number; forgotten: boolean }>();
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
          Atomics.store(
            cells,
            PRESSURE_CAP,
            Math.max(1, Math.min(Atomics.load(cells, PRESSURE_CAP), Math.floor(Atomics.load(cells, PRESSURE_HELD) / 2))),
          );
          this.#pressure.ask();
        }
        // This thread has nothing to do until another closes something: block it (a worker may).
        sleepSync(PRESSURE_STEP_MS);
        waited += PRESSURE_STEP_MS;
      }
    }
  }

  /** While all workers together hold more than the cap, closes what this one holds and the current task does not use. */
  relieve(): void {
    const { cells } = this.#pressure;
    while (Atomics.load(cells, PRESSURE_HELD) > Atomics.load(cells, PRESSURE_CAP) && this.#releaseOldest());
  }

  /** Records `fd` as this worker's to close (see DescriptorBits); returns it. */
  own(fd: number): number {
    return this.#owned.add(fd);
  }

  /** Closes a descriptor recorded with `own` (libc.close takes it off the record in the same step, see worker/end-gate.ts). */
  close(fd: number): void {
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
    const pinned = this.#pinned.get(key);
    if (pinned) pinned.forgotten = true;
    const held = this.#open.delete(key);
    if (held) this.#release(held);
  }

  /**
   * A task waiting for its program will use `key` again when it resumes, and
   * may open a socket there anew: if the namespace is deleted meanwhile, what
   * it opens is forgotten when the returned release is called (at the end of
   * its turn), else it would keep the deleted namespace alive until idle.
   */
  pin(key: string): () => void {
    const pinned = this.#pinned.get(key) ?? { pins: 0, forgotten: false };
    pinned.pins++;
    this.#pinned.set(key, pinned);
    return () => {
      if (--pinned.pins > 0) return;
      this.#pinned.delete(key);
      if (pinned.forgotten) this.forget(key);
    };
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
      this.#count(1);
      this.relieve();
    }
    return held;
  }

  /** Counts namespaces this worker starts or stops holding, in its own cell and the pool's total. */
  #count(delta: number): void {
    Atomics.add(this.#pressure.own, CONTROL_HELD, delta);
    Atomics.add(this.#pressure.cells, PRESSURE_HELD, delta);
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
    this.#count(-1);
    held.socket?.close();
    if (held.fd !== undefined) this.close(held.fd);
  }
}
