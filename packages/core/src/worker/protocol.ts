/** Messages between the pool (main thread) and its worker threads. All plain data. */
import type { NsActionSpec } from "../actions/ns-actions.js";
import type { ErrorJSON } from "../errors.js";
import type { NsHandleJSON } from "../namespace/handle.js";
import type { NsProvider } from "../namespace/providers.js";

export interface WorkerOptions {
  /** Most namespaces one worker keeps a descriptor and socket for (least recently used are closed first). */
  maxSockets: number;
  /** A socket unused this long is closed, so it stops holding its namespace. */
  socketIdleMs: number;
  /** Memory the worker and the pool share (see WorkerShared). */
  shared: WorkerShared;
  /** Int32 cells shared by every worker of the pool: see Pressure in held.ts. */
  pressure: SharedArrayBuffer;
  /** Int32 cells shared by every worker of the pool: requests sent, by type (netlink/request-counts.ts). */
  requests: SharedArrayBuffer;
}

/**
 * What the pool must know about a worker even when it dies without a word
 * (process.exit in user code, terminate, a crash): read after its exit.
 */
export interface WorkerShared {
  /** Int32 cells, indexed by the CONTROL_* constants. */
  control: SharedArrayBuffer;
  /**
   * Int32 cells: a task's sequence number stored at (seq % CANCEL_SLOTS)
   * means the pool has already failed it (timeout, abort): skip it.
   */
  cancelled: SharedArrayBuffer;
  /**
   * One bit per descriptor number the worker opened outside Node (koffi):
   * Node does not close those when a worker ends, so the pool does.
   */
  descriptors: SharedArrayBuffer;
  /** The pids of the programs it started and that have not ended (see ChildPids): the pool collects them if it dies first. */
  children: SharedArrayBuffer;
  /** What holds off its end while it records a descriptor or a program (see EndGate). */
  endGate: SharedArrayBuffer;
}

/** control[CONTROL_STARTED]: how many tasks the worker has started, counted in the order they were posted. */
export const CONTROL_STARTED = 0;
/** control[CONTROL_HELD]: how many namespaces the worker holds (its part of the pool's PRESSURE_HELD). */
export const CONTROL_HELD = 1;
export const CONTROL_CELLS = 2;
/** Cancellations remembered at once per worker; beyond, a cancelled task queued this far back runs and its reply is dropped. */
export const CANCEL_SLOTS = 4096;

export interface Task {
  id: number;
  provider: NsProvider;
  /** "dev:ino" the provider's path had when the task was sent, for existing namespaces. */
  key?: string;
  actions: NsActionSpec[];
  /**
   * The task is linkDo's: its one action is na.link, and a failure is placed
   * among that action's link actions (the caller's), as if they were the task's.
   */
  linkDo?: true;
}

/**
 * Tasks and replies travel in batches: a message costs each side more than
 * most tasks do, and a caller usually starts many tasks at once.
 */
export type ToWorker =
  | { type: "tasks"; tasks: Task[] }
  /** Namespaces were deleted: close what is held on them, then say `forgotten` with `ack` if one is given. */
  | { type: "forget"; keys: readonly string[]; ack?: number }
  /** Another worker is out of descriptors: close what is held idle, now (not after queued tasks). */
  | { type: "relieve" }
  | { type: "close" };

export interface TaskReply {
  id: number;
  /** The thread got back to its original namespace. When false the worker exits right after. */
  returned: boolean;
  results?: unknown[];
  error?: ErrorJSON;
  /** A handle on the namespace the provider created anonymously. */
  created?: NsHandleJSON;
  /** The namespace the provider created, as "dev:ino": later work on it comes to this worker, which holds it. */
  createdKey?: string;
  /** Namespaces deleted by the task, as "dev:ino". */
  deleted?: string[];
  /**
   * The descriptors the reply hands to the caller (its handles, `created`'s
   * among them): no longer the worker's, so the pool closes them if nobody
   * waits for the reply any more (its task aborted or timed out meanwhile).
   */
  handed?: number[];
}

export type FromWorker =
  | { type: "ready"; tid: number }
  | { type: "done"; replies: TaskReply[] }
  /** What a `forget` with this `ack` named is closed. */
  | { type: "forgotten"; ack: number }
  /** The thread is not in its own namespace between tasks: it ends right after, and starts nothing more. */
  | { type: "dirty"; reason: string }
  /** Out of descriptors with none of its own to close: the pool asks the other workers to relieve. */
  | { type: "pressure" };
