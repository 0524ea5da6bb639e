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

export type ToWorker =
  /** `key`: "dev:ino" the provider's path had when the task was sent, for existing namespaces. */
  | { type: "task"; id: number; provider: NsProvider; key?: string; actions: NsActionSpec[] }
  /** A namespace was deleted: close what is held on it. */
  | { type: "forget"; key: string }
  | { type: "close" };

export interface TaskReply {
  type: "done";
  id: number;
  /** The thread got back to its original namespace. When false the worker exits right after. */
  returned: boolean;
  results?: unknown[];
  error?: ErrorJSON;
  /** A handle on the namespace the provider created anonymously. */
  created?: NsHandleJSON;
  /** Namespaces deleted by the task, as "dev:ino". */
  deleted?: string[];
}

export type FromWorker = { type: "ready"; tid: number } | TaskReply;

/** Exit code of a worker that ended itself because it could not get back to its namespace. */
export const DIRTY_EXIT_CODE = 70;
