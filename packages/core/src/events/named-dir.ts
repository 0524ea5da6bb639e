/**
 * Every named namespace of a mount dir, ones created later included: the dir
 * is watched with inotify (fs.watch), by its path (followed-dir.ts), and
 * listed again on each change.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { hasErrno } from "../errno.js";
import { typedError, ValidationError } from "../errors.js";
import { identityOfEntry, keyOfIdentity } from "../ffi/identity.js";
import { notADirectory } from "../files/directory.js";
import { listNamed } from "../namespace/list.js";
import { isNamespaceName } from "../validate/validate.js";
import { FollowedDir } from "./followed-dir.js";
import type { WatchTarget } from "./protocol.js";
import { namedLabel, targetOf } from "./targets.js";

/** How long a file that is no namespace yet is looked at again (a creator on a busy machine may take a while to mount). */
const RETRY_FOR_MS = 5000;
const RETRY_MS = 50;

/** "dev:ino" of the namespace mounted at `path` (how the listener keys it); undefined once the entry is gone. */
function keyAt(path: string): string | undefined {
  try {
    return keyOfIdentity(identityOfEntry(path));
  } catch {
    return undefined;
  }
}

/** The file names of `dir`; none once it is gone. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The names of the namespaces in `dir`; none while it is no dir (replaced by a file, say), until one is made again. */
function namespacesIn(dir: string): string[] {
  try {
    return listNamed(dir);
  } catch {
    return [];
  }
}

export class NamedDir {
  readonly #dir: string;
  readonly #watcher: FollowedDir;
  /**
   * Labels handed out and not given up, with the namespace each named then: a
   * name deleted and made again while its first namespace lives on (someone
   * holds it, so no `gone` comes) names another one, to be handed out again.
   */
  readonly #known = new Map<string, string>();
  /** When each file that was no namespace yet was first seen so, by label; forgotten once the file goes. */
  readonly #waiting = new Map<string, number>();
  /** The one look-again pending: every event and every waiting file share it. */
  #timer: NodeJS.Timeout | undefined;
  readonly #add: (targets: WatchTarget[]) => void;

  /** `dir` (checked: namedDir) is watched; `add` receives the namespaces found after the first listing. */
  constructor(dir: string, add: (targets: WatchTarget[]) => void) {
    this.#dir = dir;
    this.#add = add;
    try {
      // `ip netns add` creates the dir too; it must exist to be watched before the first namespace appears.
      mkdirSync(this.#dir, { recursive: true });
      this.#watcher = new FollowedDir(this.#dir, () => this.#rescan());
    } catch (err) {
      // Out of descriptors (inotify's own is made at the process's first watch) is no fault of the dir.
      if (hasErrno(err, "EMFILE") || hasErrno(err, "ENFILE")) throw typedError(err);
      // A FIFO or a plain file there or on the way (EEXIST, ENOTDIR) is said as such; no permission (EACCES)...
      throw new ValidationError("targets.dir", notADirectory(dir) ?? `${dir} cannot be watched: ${(err as Error).message}`);
    }
  }

  /** The namespaces there now. Those found later are always listed: the consumer has seen nothing of them. */
  initial(list: boolean): WatchTarget[] {
    return this.#fresh(listNamed(this.#dir), list);
  }

  /** Those of `names` (namespaces of the dir) not handed out yet, or handed out when the name named another namespace. */
  #fresh(names: readonly string[], list: boolean): WatchTarget[] {
    const found: WatchTarget[] = [];
    for (const name of names) {
      // One made by hand with a name neslink does not take (`ip netns add "a b"`) is not watched: refusing it here threw
      // out of the dir's listener and ended the watching process.
      if (!isNamespaceName(name)) continue;
      const target = targetOf("dir", { kind: "name", name, dir: this.#dir }, list);
      const key = keyAt(target.path);
      // Gone since the listing: its removal is another event, and another look.
      if (key === undefined || this.#known.get(target.label) === key) continue;
      this.#known.set(target.label, key);
      found.push(target);
    }
    return found;
  }

  #rescan(): void {
    // One listing for both: one taken again here could see a namespace mounted since, neither handed out nor looked at again.
    const names = namespacesIn(this.#dir);
    const found = this.#fresh(names, true);
    if (found.length > 0) this.#add(found);
    // inotify tells of a new file before its namespace is mounted on it, and the mount tells nothing: look again for those.
    const listed = new Set(names);
    const present = new Set<string>();
    for (const name of namesIn(this.#dir)) {
      const label = namedLabel(this.#dir, name);
      present.add(label);
      if (!listed.has(name) && this.#stillWaiting(label)) this.#later();
    }
    // A file removed is forgotten: one made again under its name later gets its own time to be mounted on.
    for (const label of this.#waiting.keys()) if (!present.has(label)) this.#waiting.delete(label);
  }

  /** Whether `key` was first seen not ready less than RETRY_FOR_MS ago (now, if never before). */
  #stillWaiting(key: string): boolean {
    const since = this.#waiting.get(key) ?? Date.now();
    this.#waiting.set(key, since);
    return Date.now() - since <= RETRY_FOR_MS;
  }

  #later(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#rescan();
    }, RETRY_MS).unref();
  }

  /**
   * A new file is a namespace only once its bind mount is made, and mounting
   * makes no inotify event: look again a little later, for a bounded time
   * (a plain file left there is not retried forever).
   */
  failed(label: string): void {
    if (!this.#stillWaiting(label)) return;
    this.#known.delete(label);
    this.#later();
  }

  /** A name whose namespace is gone may be given to a new one (`ip netns del X; ip netns add X`): look again. */
  gone(labels: readonly string[]): void {
    for (const label of labels) {
      this.#known.delete(label);
      this.#waiting.delete(label);
    }
    if (labels.length > 0) this.#rescan();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher.close();
  }
}
