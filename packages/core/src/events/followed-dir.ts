/**
 * A dir watched by its path, not by the dir it was at first. An inotify watch
 * stays on the inode it was given: once that dir is removed or moved away
 * (`rm -r /run/netns`, made again by the next `ip netns add`), it hears nothing
 * more, whatever is made at the path. So on each event the path is looked at
 * again; if another dir is there, or none, the watch moves: to the new dir,
 * or meanwhile to the parent, to hear the dir made again.
 */
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** How often a dir whose parent is gone too is looked for. */
const POLL_MS = 1000;

/** "dev:ino" of the dir at `path`; undefined if there is none (nothing, or no dir). */
function dirKey(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return s.isDirectory() ? `${s.dev}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

export class FollowedDir {
  readonly #path: string;
  readonly #changed: () => void;
  #watcher: FSWatcher | undefined;
  /** The dir watched; undefined while there is none at the path to watch. */
  #key: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** Watches the dir at `path` (throws if there is none, or it cannot be watched); `changed` is called on every change in it, or of it. */
  constructor(path: string, changed: () => void) {
    this.#path = path;
    this.#changed = changed;
    this.#key = dirKey(path);
    this.#watcher = this.#watch(path);
  }

  #watch(path: string, only?: string): FSWatcher {
    const watcher = watch(path, { persistent: false }, (_, name) => {
      if (only === undefined || name === null || name === only) this.#check();
    });
    // Node reports some failures of a watch (its dir unmounted) as an error event: the path is looked at again.
    watcher.on("error", () => this.#check());
    return watcher;
  }

  #check(): void {
    if (this.#closed) return;
    // No watcher: the timer's turn, which looks again until one can be made.
    if (dirKey(this.#path) !== this.#key || this.#watcher === undefined) this.#rearm();
    this.#changed();
  }

  /** Watches the dir now at the path; if none (or it goes meanwhile), the parent, to hear it made; if that is gone too, a timer. */
  #rearm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Twice at most: a dir made while the parent was being watched is watched at once.
    for (let attempt = 0; attempt < 2; attempt++) {
      this.#watcher?.close();
      this.#watcher = undefined;
      const key = dirKey(this.#path);
      if (key !== undefined) {
        try {
          // Read before the watch is made: a dir replaced in between is seen at the next event, as another key.
          this.#key = key;
          this.#watcher = this.#watch(this.#path);
          return;
        } catch {
          // Gone again already.
        }
      }
      this.#key = undefined;
      try {
        this.#watcher = this.#watch(dirname(this.#path), basename(this.#path));
      } catch {
        break;
      }
      if (dirKey(this.#path) === undefined) return;
    }
    if (this.#watcher === undefined) this.#timer = setTimeout(() => this.#check(), POLL_MS).unref();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
  }
}
