/**
 * Whether a topology's lock was held at any moment while a plan read the
 * kernel, told by one reading of /proc/locks after the reads. assertUnlocked
 * before and after them took two, and each reading first waits for an RCU
 * grace period (flocked.ts): 6 to 20 ms apiece on a loaded 2-core host, most
 * of a small lab's plan.
 *
 * A holder takes the lock on a descriptor of the lock file and lets go of it
 * by closing that descriptor (its process's end closes it too), and a destroy
 * removes the file. An inotify watch on the lock dir, set before the reads,
 * hears each of these: the kernel queues a close (IN_CLOSE_*) as the last
 * descriptor of an open file goes, before it drops the file's locks (__fput),
 * and a removal or a rename as the name goes. So, of a lock held at some
 * moment after the watch began, either it is still held when the reads are
 * over, and /proc/locks read then lists it, or it was let go, and its close
 * waits in the queue, read after /proc/locks. A lock taken and let go while
 * the reads ran is caught too, which the two readings missed.
 *
 * Any close of the lock file counts, whoever opened it: one that only looked
 * at it makes a plan refuse once for nothing. Where no watch can be set (no
 * lock dir: no lab was ever applied here; no inotify instance or descriptor to
 * spare; not allowed), assertUnlocked runs before and after the reads as it
 * did. One inotify instance serves every plan of the process under way.
 */
import * as libc from "../ffi/libc.js";
import { flockHolderLater } from "../namespace/flocked.js";
import { assertUnlocked, LOCK_DIR, lockFile, lockPath, refuseHolder, TopologyLockedError } from "./lock.js";

const IN_CLOSE_WRITE = 0x8;
const IN_CLOSE_NOWRITE = 0x10;
const IN_MOVED_FROM = 0x40;
const IN_MOVED_TO = 0x80;
const IN_DELETE = 0x200;
const IN_DELETE_SELF = 0x400;
const IN_MOVE_SELF = 0x800;
const IN_UNMOUNT = 0x2000;
const IN_Q_OVERFLOW = 0x4000;
const IN_IGNORED = 0x8000;
const MASK = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
/** The dir itself went, or events were lost: nothing is known of any file of it since. */
const BLIND = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED;
/** struct inotify_event: wd, mask, cookie, len (4 bytes each), then the name, NUL-padded to len. */
const EVENT_HEADER = 16;

/** A plan's interest: the lock file's name in the dir, and whether anything happened to it since the plan began. */
interface Watcher {
  file: string;
  touched: boolean;
}

/** The process's inotify instance on LOCK_DIR, for as long as a plan under way uses it. */
interface Instance {
  fd: number;
  watchers: Set<Watcher>;
  /** It heard its dir go (or lost events): it tells nothing of what comes after, and no new plan joins it. */
  blind: boolean;
}

let current: Instance | undefined;
const buffer = new Uint8Array(64 * 1024);
const view = new DataView(buffer.buffer);

/** Hands every event waiting in the instance's queue to the plans it concerns. */
function drain(instance: Instance): void {
  for (let n = libc.readNow(instance.fd, buffer, "inotify"); n > 0; n = libc.readNow(instance.fd, buffer, "inotify")) {
    for (let at = 0; at < n; at += EVENT_HEADER + view.getUint32(at + 12, true)) {
      const mask = view.getUint32(at + 4, true);
      const named = buffer.subarray(at + EVENT_HEADER, at + EVENT_HEADER + view.getUint32(at + 12, true));
      const end = named.indexOf(0);
      const name = Buffer.from(named.buffer, named.byteOffset, end < 0 ? named.length : end).toString();
      if (mask & BLIND) instance.blind = true;
      for (const w of instance.watchers) if (mask & BLIND || w.file === name) w.touched = true;
    }
  }
}

/** The instance a new plan joins, made (with its watch on LOCK_DIR) when none can be joined. */
function instance(): Instance {
  if (current !== undefined && !current.blind) {
    // What happened before this plan began is the earlier plans' alone.
    drain(current);
    if (!current.blind) return current;
  }
  const fd = libc.inotifyInit();
  try {
    libc.inotifyAddWatch(fd, LOCK_DIR, MASK);
  } catch (err) {
    libc.close(fd);
    throw err;
  }
  current = { fd, watchers: new Set(), blind: false };
  return current;
}

function leave(from: Instance, watcher: Watcher): void {
  from.watchers.delete(watcher);
  if (from.watchers.size > 0) return;
  if (current === from) current = undefined;
  libc.close(from.fd);
}

/** A plan's look at its topology's lock, from before its reads to after them. */
export interface LockWatch {
  /**
   * Resolves once /proc/locks has been read after the reads; rejects with TopologyLockedError if the lock is held
   * then, or was held at any moment since the watch began. Ends the watch.
   */
  settle(): Promise<void>;
  /** Ends the watch (idempotent): for a plan that stops before settle. */
  close(): void;
}

/**
 * Begins watching `topology`'s lock, before the plan reads anything. Where no watch can be set, it is asserted
 * unlocked now (TopologyLockedError) and again at settle.
 */
export function watchLock(topology: string): LockWatch {
  const file = lockPath(topology).slice(LOCK_DIR.length + 1);
  let joined: Instance;
  try {
    joined = instance();
  } catch {
    assertUnlocked(topology);
    return { settle: async () => assertUnlocked(topology), close: () => {} };
  }
  const watcher: Watcher = { file, touched: false };
  joined.watchers.add(watcher);
  let open = true;
  const close = () => {
    if (open) leave(joined, watcher);
    open = false;
  };
  return {
    settle: async () => {
      try {
        const lock = lockFile(topology);
        const holder = lock === undefined ? "" : await flockHolderLater(lock);
        // After the reading: a lock let go before it has its close queued by now.
        if (open) drain(joined);
        refuseHolder(topology, holder);
        if (watcher.touched) throw new TopologyLockedError(topology, "", { meanwhile: true });
      } finally {
        close();
      }
    },
    close,
  };
}
