/**
 * The descriptors a worker opened through koffi (namespace descriptors,
 * netlink sockets), as bits in memory it shares with the pool. Node closes
 * what a worker opened through node:fs when it ends, not these: without this
 * record, a worker that is terminated or dies in user code would leave its
 * sockets open, keeping their namespaces alive. ffi/libc.ts sets a bit in
 * the step that opens its descriptor and clears it in the step that closes
 * it (the pool never ends a worker within one: end-gate.ts); one handed to
 * the user is cleared first. So a bit set always means "open and still the
 * worker's", and an open descriptor of the worker's always has its bit.
 */
import { readFileSync } from "node:fs";

export class DescriptorBits {
  readonly #bits: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#bits = new Int32Array(buffer);
  }

  /** Memory for descriptor numbers up to the process's hard limit (at most fs.nr_open: 128 KiB by default). */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(Math.ceil(maxDescriptors() / 32) * 4);
  }

  /** Records `fd` as the worker's; returns it. */
  add(fd: number): number {
    if (fd >>> 5 < this.#bits.length) Atomics.or(this.#bits, fd >>> 5, 1 << (fd & 31));
    return fd;
  }

  delete(fd: number): void {
    if (fd >>> 5 < this.#bits.length) Atomics.and(this.#bits, fd >>> 5, ~(1 << (fd & 31)));
  }

  /** Every descriptor recorded, each removed as it is listed. */
  *drain(): Generator<number> {
    for (let word = 0; word < this.#bits.length; word++) {
      const bits = Atomics.exchange(this.#bits, word, 0);
      for (let bit = 0; bits >>> bit !== 0 && bit < 32; bit++) if ((bits >>> bit) & 1) yield word * 32 + bit;
    }
  }
}

/** A descriptor number is below the hard RLIMIT_NOFILE, itself at most fs.nr_open. */
function maxDescriptors(): number {
  const read = (path: string, pattern: RegExp) => Number(pattern.exec(readFileSync(path, "utf8"))?.[1]);
  const hard = read("/proc/self/limits", /^Max open files\s+\S+\s+(\d+)/m);
  const nrOpen = read("/proc/sys/fs/nr_open", /(\d+)/);
  const bound = Math.min(Number.isFinite(hard) ? hard : Number.POSITIVE_INFINITY, Number.isFinite(nrOpen) ? nrOpen : 1 << 20);
  return Number.isFinite(bound) ? bound : 1 << 20;
}
