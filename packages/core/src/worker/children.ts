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
const CHILD_SLOTS = 4096;

export class ChildPids {
  readonly #slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#slots = new Int32Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CHILD_SLOTS * 4);
  }

  add(pid: number): void {
    for (let i = 0; i < this.#slots.length; i++) if (Atomics.compareExchange(this.#slots, i, 0, pid) === 0) return;
  }

  delete(pid: number): void {
    for (let i = 0; i < this.#slots.length; i++) if (Atomics.compareExchange(this.#slots, i, pid, 0) === pid) return;
  }

  /** Every pid recorded, each removed as it is listed. */
  *drain(): Generator<number> {
    for (let i = 0; i < this.#slots.length; i++) {
      const pid = Atomics.exchange(this.#slots, i, 0);
      if (pid !== 0) yield pid;
    }
  }
}
