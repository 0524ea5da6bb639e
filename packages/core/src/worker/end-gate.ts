/**
 * Lets the pool end a worker (worker.terminate) only between the steps that
 * must not be split: a descriptor's open and its record (DescriptorBits), a
 * close and its record's removal, a program's start and its pid's record
 * (ChildPids). V8 ends a thread at its next JavaScript function entry after
 * terminate(), wherever that is: one that landed after socket(2) had
 * returned and before the bit was set left the socket open and unrecorded
 * for the process's life, keeping its namespace alive.
 *
 * A handshake on two cells of shared memory, both sides with sequentially
 * consistent atomics: the worker counts itself in a step, then reads
 * whether it is being ended; the pool marks it as being ended, then reads
 * whether it is in a step. At least one sees the other's write: either the
 * worker starts no step (it waits to be ended instead), or the pool waits
 * for the step to finish, however long it takes: a step is a system call
 * or two (a spawn's fork and exec), never a wait on anything else, and
 * terminate() could not end the thread inside them anyway.
 */

/** Cell of how many steps the worker is in (nested: a pid recorded while a descriptor's is). */
const IN_STEP = 0;
/** Cell set once the pool is ending the worker: no step starts after it. */
const ENDING = 1;
const CELLS = 2;

export class EndGate {
  readonly #cells: Int32Array;
  /** Steps this thread is in: one within another does not wait (the pool waits for the outer one to finish). */
  #depth = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CELLS * 4);
  }

  /**
   * The worker starts a step: it cannot be ended until `leave`. If it is
   * being ended already, this never returns: the thread waits in
   * Atomics.wait, which terminate() interrupts.
   */
  enter(): void {
    Atomics.add(this.#cells, IN_STEP, 1);
    if (this.#depth++ > 0 || Atomics.load(this.#cells, ENDING) === 0) return;
    Atomics.sub(this.#cells, IN_STEP, 1);
    for (;;) Atomics.wait(this.#cells, ENDING, 1);
  }

  leave(): void {
    this.#depth--;
    Atomics.sub(this.#cells, IN_STEP, 1);
  }

  /** The pool: from now on the worker starts no step; true if it is in none, and can be ended at once. */
  shut(): boolean {
    Atomics.store(this.#cells, ENDING, 1);
    return Atomics.load(this.#cells, IN_STEP) === 0;
  }
}
