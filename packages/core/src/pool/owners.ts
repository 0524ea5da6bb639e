/**
 * Which worker each namespace's work goes to: the one that created it or
 * first worked in it, which holds its descriptor and netlink socket. New
 * namespaces go to the least busy worker, so namespaces spread by load, and
 * their later work never needs a second socket elsewhere.
 */
import { LruMap } from "../lru-map.js";

export class Owners {
  readonly #byKey: LruMap<string, number>;

  /** `max`: namespaces remembered; the least recently set beyond it are forgotten (a preference lost, nothing else). */
  constructor(max: number) {
    this.#byKey = new LruMap(max);
  }

  get(key: string): number | undefined {
    return this.#byKey.peek(key);
  }

  set(key: string, worker: number): void {
    this.#byKey.set(key, worker);
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.#byKey.delete(key);
  }
}
