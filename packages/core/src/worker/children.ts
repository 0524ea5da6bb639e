/**
 * The programs a worker started and that have not ended yet, as pids in
 * memory it shares with the pool. A child that ends is collected (waitpid)
 * by the event loop of the thread that started it; a worker that is ended
 * while its programs run (a timeout, pool.close's grace, a crash) takes that
 * loop with it, and its programs, killed by PR_SET_PDEATHSIG, would stay
 * zombies for the life of the process. The pool collects them instead
 * (pool/reaper.ts). Beyond CHILD_SLOTS programs at once, the rest are not
 * recorded.
 */
import type { ChildProcess } from "node:child_process";
import type { EndGate } from "./end-gate.js";

const CHILD_SLOTS = 4096;

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
   * Starts a program with `spawn` and records it until this thread's loop has
   * collected it. Ending the thread within, after the fork and before the pid
   * is recorded (Node's spawn runs JavaScript after forking), would lose it:
   * it is one step of the thread's end gate.
   */
  record(spawn: () => ChildProcess): ChildProcess {
    if (this.#gate === undefined) throw new Error("ChildPids.record needs the worker's end gate");
    const gate = this.#gate;
    gate.enter();
    try {
      const child = spawn();
      const { pid } = child;
      if (pid !== undefined) {
        this.add(pid);
        // Emitted once this thread's loop has collected it.
        child.once("exit", () => this.delete(pid));
      }
      return child;
    } finally {
      gate.leave();
    }
  }

  add(pid: number): void {
    for (let i = 0; i < this.#cells.length; i++) if (Atomics.compareExchange(this.#cells, i, 0, pid) === 0) return;
  }

  delete(pid: number): void {
    for (let i = 0; i < this.#cells.length; i++) if (Atomics.compareExchange(this.#cells, i, pid, 0) === pid) return;
  }

  /** Every pid recorded, each removed as it is listed. */
  *drain(): Generator<number> {
    for (let i = 0; i < this.#cells.length; i++) {
      const pid = Atomics.exchange(this.#cells, i, 0);
      if (pid !== 0) yield pid;
    }
  }
}
