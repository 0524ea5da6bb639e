/**
 * A map bounded to `max` entries that keeps them in order of use: `get` and
 * `set` make an entry the most recent, and `set` drops the least recent one
 * beyond the bound and returns it, for a caller that must release it.
 */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`LruMap bound must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The value for `key`, without changing its place. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** The value for `key`, made the most recent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) this.#moveToEnd(key, value);
    return value;
  }

  /** Sets `key` as the most recent; returns the entry dropped to stay within the bound, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.#moveToEnd(key, value);
    if (this.#entries.size <= this.#max) return undefined;
    const oldest = this.#entries.entries().next().value as [K, V];
    this.#entries.delete(oldest[0]);
    return oldest;
  }

  /** Removes `key`; returns what it held. */
  delete(key: K): V | undefined {
    const value = this.#entries.get(key);
    this.#entries.delete(key);
    return value;
  }

  /** Least recent first; entries may be deleted while iterating. */
  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }

  #moveToEnd(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
  }
}
