/**
 * Every named namespace of a mount dir, ones created later included: the dir
 * is watched with inotify (fs.watch) and listed again on each change.
 */
import { type FSWatcher, mkdirSync, readdirSync, watch } from "node:fs";
import { listNamed } from "../namespace/list.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { absolutePath } from "../validate/validate.js";
import type { WatchTarget } from "./protocol.js";
import { targetOf } from "./targets.js";

const RETRIES = 20;
const RETRY_MS = 50;

/** The file names of `dir`; none once it is gone. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export class NamedDir {
  readonly #dir: string;
  readonly #watcher: FSWatcher;
  /** Labels handed out and not given up. */
  readonly #known = new Set<string>();
  readonly #retries = new Map<string, number>();
  readonly #add: (targets: WatchTarget[]) => void;

  /** `add` receives the namespaces found after the first listing. */
  constructor(dir: string | undefined, add: (targets: WatchTarget[]) => void) {
    this.#dir = absolutePath("dir", dir ?? DEFAULT_NETNS_DIR);
    this.#add = add;
    // `ip netns add` creates the dir too; it must exist to be watched before the first namespace appears.
    mkdirSync(this.#dir, { recursive: true });
    this.#watcher = watch(this.#dir, { persistent: false }, () => this.#rescan());
  }

  /** The namespaces there now. Those found later are always listed: the consumer has seen nothing of them. */
  initial(list: boolean): WatchTarget[] {
    return this.#fresh(list);
  }

  #fresh(list: boolean): WatchTarget[] {
    const found = listNamed(this.#dir)
      .map((name) => targetOf("dir", { kind: "name", name, dir: this.#dir }, list))
      .filter((t) => !this.#known.has(t.label));
    for (const t of found) this.#known.add(t.label);
    return found;
  }

  #rescan(): void {
    const found = this.#fresh(true);
    if (found.length > 0) this.#add(found);
    // inotify tells of a new file before its namespace is mounted on it, and the mount tells nothing: look again for those.
    const listed = new Set(listNamed(this.#dir));
    for (const name of namesIn(this.#dir)) if (!listed.has(name)) this.#notYet(name);
  }

  /** A file of the dir that is no namespace (yet): looked at again a little later, a bounded number of times. */
  #notYet(name: string): void {
    const key = `${this.#dir}/${name}`;
    const attempts = (this.#retries.get(key) ?? 0) + 1;
    this.#retries.set(key, attempts);
    if (attempts <= RETRIES) setTimeout(() => this.#rescan(), RETRY_MS).unref();
  }

  /**
   * A new file is a namespace only once its bind mount is made, and mounting
   * makes no inotify event: look again a little later, a bounded number of
   * times (a plain file left there is not retried forever).
   */
  failed(label: string): void {
    const attempts = (this.#retries.get(label) ?? 0) + 1;
    this.#retries.set(label, attempts);
    if (attempts > RETRIES) return;
    this.#known.delete(label);
    setTimeout(() => this.#rescan(), RETRY_MS).unref();
  }

  /** A name whose namespace is gone may be given to a new one (`ip netns del X; ip netns add X`): look again. */
  gone(labels: readonly string[]): void {
    for (const label of labels) {
      this.#known.delete(label);
      this.#retries.delete(label);
    }
    if (labels.length > 0) this.#rescan();
  }

  close(): void {
    this.#watcher.close();
  }
}
