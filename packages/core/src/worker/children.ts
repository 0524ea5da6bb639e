/**
 * The programs a worker started and that have not ended yet, in memory it
 * shares with the pool. A child that ends is collected (waitpid) by the event
 * loop of the thread that started it; a worker that is ended while its
 * programs run (a timeout, pool.close's grace, a crash) takes that loop with
 * it, and its programs would stay zombies for the life of the process. The
 * pool collects them instead (pool/reaper.ts), and ends those tied to the
 * worker (see RecordedChild.tied). Beyond CHILD_SLOTS programs at once, the
 * rest are not recorded.
 *
 * Each is recorded by a pidfd, opened as it starts: it names that process and
 * no other. A worker ended after its loop had collected a program and before
 * the loop ran the program's exit callback (which removes the record) left the
 * record behind; by pid, the pool then collected whatever child of the
 * process had been given that pid since, taking its exit status from its own
 * waiter. Only where the kernel gives no pidfd (before Linux 5.3, or no
 * descriptor left) is the pid recorded, as it was.
 */
import type { ChildProcess } from "node:child_process";
import { closePidfd, openPidfd } from "../ffi/libc.js";
import type { EndGate } from "./end-gate.js";

const CHILD_SLOTS = 4096;
/** A cell's flags, above its number: a pid (at most 2^22) or a pidfd (below 2^29, or not recorded as one). */
const PIDFD = 1 << 30;
const TIED = 1 << 29;
const NUMBER = TIED - 1;

/** A program recorded, as the pool finds it once its worker has ended; a pidfd is then the pool's to close. */
export type RecordedChild = ({ pidfd: number } | { pid: number }) & {
  /**
   * Started through setpriv, to be killed when its worker ends (PR_SET_PDEATHSIG): the pool does so too, since
   * setpriv asks for that only after its own exec, and a worker ended before it left the program to ask with a
   * parent that lives on (the kernel hands a thread's children to another thread of its process).
   */
  tied: boolean;
};

export class ChildPids {
  readonly #cells: Int32Array;
  readonly #gate: EndGate | undefined;

  /** `gate`: the worker's, which record needs; the pool's view, which only drains, has none. */
  constructor(buffer: SharedArrayBuffer, gate?: EndGate) {
    this.#cells = new Int32Array(buffer);
    this.#gate = gate;
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CHILD_SLOTS * 4);
  }

  /**
   * Starts a program with `spawn` and records it (`tied`: see RecordedChild)
   * until this thread's loop has collected it. Ending the thread within,
   * after the fork and before the record is made (Node's spawn runs
   * JavaScript after forking), would lose it: it is one step of the thread's
   * end gate. So is the record's removal, with its pidfd's close.
   */
  record(spawn: () => ChildProcess, tied: boolean): ChildProcess {
    const gate = this.#gateOrThrow();
    gate.enter();
    try {
      const child = spawn();
      if (child.pid !== undefined) this.#add(child, child.pid, tied);
      return child;
    } finally {
      gate.leave();
    }
  }

  #gateOrThrow(): EndGate {
    if (this.#gate === undefined) throw new Error("ChildPids.record needs the worker's end gate");
    return this.#gate;
  }

  /** Only this thread writes the cells while it lives (the pool reads them once it has ended): a free one stays free. */
  #add(child: ChildProcess, pid: number, tied: boolean): void {
    const slot = this.#cells.indexOf(0);
    if (slot < 0) return;
    // Before this thread's loop can collect it: the pidfd is that process's.
    let pidfd = openPidfd(pid);
    if (pidfd > NUMBER) {
      closePidfd(pidfd);
      pidfd = -1;
    }
    Atomics.store(this.#cells, slot, (pidfd >= 0 ? pidfd | PIDFD : pid) | (tied ? TIED : 0));
    // Emitted once this thread's loop has collected it.
    child.once("exit", () => this.#remove(slot));
  }

  #remove(slot: number): void {
    const gate = this.#gateOrThrow();
    gate.enter();
    try {
      // Before the close: once closed, the number may be another descriptor's, which the pool must never close.
      const cell = Atomics.exchange(this.#cells, slot, 0);
      if (cell & PIDFD) closePidfd(cell & NUMBER);
    } finally {
      gate.leave();
    }
  }

  /** Every program recorded, each removed as it is listed. */
  *drain(): Generator<RecordedChild> {
    for (let i = 0; i < this.#cells.length; i++) {
      const cell = Atomics.exchange(this.#cells, i, 0);
      if (cell === 0) continue;
      const tied = (cell & TIED) !== 0;
      yield cell & PIDFD ? { pidfd: cell & NUMBER, tied } : { pid: cell & NUMBER, tied };
    }
  }
}
