/**
 * Which worker each namespace's work goes to: the one that created it or
 * first worked in it, which holds its descriptor and netlink socket. New
 * namespaces go to the least busy worker, so namespaces spread by load, and
 * their later work never needs a second socket elsewhere.
 */
export class Owners {
  readonly #byKey = new Map<string, number>();
  readonly #max: number;

  /** `max`: namespaces remembered; the least recently used beyond it are forgotten (a preference lost, nothing else). */
  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): number | undefined {
    return this.#byKey.get(key);
  }

  set(key: string, worker: number): void {
    this.#byKey.delete(key);
    this.#byKey.set(key, worker);
    if (this.#byKey.size > this.#max) {
      const [oldest] = this.#byKey.keys();
      if (oldest !== undefined) this.#byKey.delete(oldest);
    }
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.#byKey.delete(key);
  }
}
