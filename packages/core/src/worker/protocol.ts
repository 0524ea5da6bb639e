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
}

export interface Task {
  id: number;
  provider: NsProvider;
  /** "dev:ino" the provider's path had when the task was sent, for existing namespaces. */
  key?: string;
  actions: NsActionSpec[];
}

/**
 * Tasks and replies travel in batches: a message costs each side more than
 * most tasks do, and a caller usually starts many tasks at once.
 */
export type ToWorker =
  | { type: "tasks"; tasks: Task[] }
  /** Namespaces were deleted: close what is held on them. */
  | { type: "forget"; keys: string[] }
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
}

export type FromWorker = { type: "ready"; tid: number } | { type: "done"; replies: TaskReply[] };

/** Exit code of a worker that ended itself because it could not get back to its namespace. */
export const DIRTY_EXIT_CODE = 70;
