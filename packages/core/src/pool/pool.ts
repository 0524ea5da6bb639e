/**
 * The worker-thread pool that does every namespace switch. The main thread
 * never changes namespace; work for one namespace always goes to the same
 * worker, so each namespace has one netlink socket and its requests stay in
 * order. A worker that cannot get back to its namespace is replaced.
 */
import { readFileSync, stat } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { NsActionSpec } from "../actions/ns-actions.js";
import { identityOfEntry, identityOfPath, keyOfIdentity } from "../ffi/identity.js";
import { type ErrorJSON, NotFoundError, PoolError } from "../errors.js";
import { isExisting, type NsProvider, nsPath } from "../namespace/providers.js";
import { integer } from "../validate/validate.js";
import { DIRTY_EXIT_CODE, type FromWorker, type Task, type TaskReply, type ToWorker, type WorkerOptions } from "../worker/protocol.js";
import { Owners } from "./owners.js";
import { startWorker } from "./worker-argv.js";

export interface PoolOptions {
  /** Worker threads (default: the core count, at least 2, at most 16). */
  size?: number;
  /**
   * Namespaces one worker keeps a descriptor and a netlink socket open for
   * (default: 1024, less when the process's descriptor limit would not leave
   * half of it free with every worker at its bound).
   */
  maxSocketsPerWorker?: number;
  /** Close what is held for a namespace unused this long, releasing it (default 30 s). */
  socketIdleMs?: number;
}

/** What one task produced, before nsDo shapes it. */
export interface TaskOutcome {
  returned: boolean;
  results?: unknown[];
  error?: ErrorJSON;
  created?: TaskReply["created"];
}

interface Job extends Task {
  resolve: (outcome: TaskOutcome) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  tid: number | undefined;
  /** Jobs sent to this worker and not yet answered, in the order sent. */
  jobs: Map<number, Job>;
  /** Jobs of this turn of the event loop, not posted yet: they go as one message. */
  outbox: Job[];
  /** Replaced: it will exit and gets no more work. */
  retired: boolean;
  /** Settles when the worker has reported its thread id. */
  started: Promise<void>;
}

const WORKER_URL = new URL("../worker/main.js", import.meta.url);
/** Namespaces whose worker the pool remembers (a few MB at most). */
const OWNERS_REMEMBERED = 1 << 16;
/** Jobs started in one turn go to a worker together; a bound lets it start on the first ones sooner. */
const MAX_TASKS_PER_MESSAGE = 64;

/** The soft limit on open descriptors, from /proc/self/limits (Node has no getrlimit). */
function openFileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const soft = Number(line?.split(/\s{2,}/)[1]);
  return Number.isFinite(soft) ? soft : 1024;
}

/** Each held namespace takes two descriptors; all workers at their bound use at most half the limit. */
function defaultHeldPerWorker(size: number): number {
  return Math.max(16, Math.min(1024, Math.floor(openFileLimit() / 4 / size)));
}

/** Starts libuv's thread pool from the main thread, so its threads begin (and stay) in the main namespace. */
function warmLibuvPool(): void {
  stat("/", () => {});
}

export class Pool {
  readonly size: number;
  readonly #options: WorkerOptions;
  readonly #slots: Slot[] = [];
  readonly #owners = new Owners(OWNERS_REMEMBERED);
  /** Where #leastBusy starts looking. */
  #turn = 0;
  #nextId = 1;
  #closed = false;
  /** Workers replaced (they could not return to their namespace, or died). */
  #replaced = 0;
  /** Set when workers cannot even start (e.g. a bad execArgv): respawning would only loop. */
  #broken: PoolError | undefined;

  constructor(options: PoolOptions = {}) {
    this.size = integer("size", options.size ?? Math.min(16, Math.max(2, availableParallelism())), 1, 256);
    this.#options = {
      maxSockets: integer("maxSocketsPerWorker", options.maxSocketsPerWorker ?? defaultHeldPerWorker(this.size), 1, 4096),
      socketIdleMs: integer("socketIdleMs", options.socketIdleMs ?? 30_000, 1, 86_400_000),
    };
    warmLibuvPool();
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn(i));
  }

  /** Resolves once every current worker thread has started (work sent before then simply waits). */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.started));
  }

  /** Thread ids of the current workers (those that have started). */
  get workerTids(): number[] {
    return this.#slots.flatMap((s) => (s.tid === undefined ? [] : [s.tid]));
  }

  /** How many workers were replaced because they could not get back to their namespace or died. */
  get replacedWorkers(): number {
    return this.#replaced;
  }

  #spawn(index: number): Slot {
    const worker = startWorker(WORKER_URL, { workerData: this.#options });
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const slot: Slot = { worker, tid: undefined, jobs: new Map(), outbox: [], retired: false, started };
    worker.unref();
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") {
        slot.tid = msg.tid;
        markStarted();
        return;
      }
      const deleted: string[] = [];
      for (const reply of msg.replies) {
        const job = slot.jobs.get(reply.id);
        if (!job) continue;
        slot.jobs.delete(reply.id);
        // Replace a stranded worker at once, so no new work is sent to it.
        if (!reply.returned) this.#retire(index, slot);
        if (reply.deleted) deleted.push(...reply.deleted);
        // Work sent for it before this reply came already chose a worker; its order stays.
        if (reply.createdKey !== undefined && this.#owners.get(reply.createdKey) === undefined) this.#owners.set(reply.createdKey, index);
        job.resolve({ returned: reply.returned, results: reply.results, error: reply.error, created: reply.created });
      }
      if (slot.jobs.size === 0) worker.unref();
      if (deleted.length > 0) this.#forget(deleted);
    });
    worker.on("error", (err) => {
      if (slot.tid === undefined) this.#broken ??= new PoolError(`worker failed to start: ${err.message}`);
      this.#fail(slot, new PoolError(`worker crashed: ${err.message}`));
    });
    worker.on("exit", (code) => {
      if (this.#closed) return;
      const unstarted = [...slot.jobs.values()];
      slot.jobs.clear();
      if (this.#broken) {
        for (const job of unstarted) job.reject(this.#broken);
        return;
      }
      if (!slot.retired) this.#retire(index, slot);
      // A stranded worker answers its task and exits before starting another, so what it still held never ran.
      const current = this.#slots[index] as Slot;
      if (code === DIRTY_EXIT_CODE) for (const job of unstarted) this.#send(current, job);
      else for (const job of unstarted) job.reject(new PoolError(`worker exited with code ${code} during the task`));
    });
    return slot;
  }

  #retire(index: number, slot: Slot): void {
    slot.retired = true;
    this.#replaced++;
    this.#slots[index] = this.#spawn(index);
  }

  #fail(slot: Slot, err: Error): void {
    for (const job of slot.jobs.values()) job.reject(err);
    slot.jobs.clear();
  }

  #send(slot: Slot, job: Job): void {
    // An idle worker does not keep the process alive; one with jobs does (ref when the first arrives).
    if (slot.jobs.size === 0) slot.worker.ref();
    slot.jobs.set(job.id, job);
    slot.outbox.push(job);
    if (slot.outbox.length === 1) queueMicrotask(() => this.#post(slot));
    else if (slot.outbox.length >= MAX_TASKS_PER_MESSAGE) this.#post(slot);
  }

  #post(slot: Slot): void {
    if (slot.outbox.length === 0) return;
    const tasks = slot.outbox.map(({ id, provider, key, actions }) => ({ id, provider, key, actions }));
    slot.outbox = [];
    slot.worker.postMessage({ type: "tasks", tasks } satisfies ToWorker);
  }

  #forget(keys: string[]): void {
    this.#owners.delete(keys);
    for (const slot of this.#slots) slot.worker.postMessage({ type: "forget", keys } satisfies ToWorker);
  }

  /** Work for a namespace goes to the worker that holds it (and its socket); new ones, and ones never seen, to the least busy. */
  #pick(provider: NsProvider): { slot: Slot; key?: string } {
    if (!isExisting(provider)) return { slot: this.#slots[this.#leastBusy()] as Slot };
    const path = nsPath(provider, process.pid);
    let key: string;
    try {
      // A mount dir's entry is never followed (a symlink there may lead anywhere); the worker checks what it is.
      key = keyOfIdentity(provider.kind === "name" ? identityOfEntry(path) : identityOfPath(path));
    } catch {
      throw new NotFoundError("namespace", `no namespace at ${path}`);
    }
    const index = this.#owners.get(key) ?? this.#leastBusy();
    this.#owners.set(key, index);
    return { slot: this.#slots[index] as Slot, key };
  }

  /** The worker with the fewest jobs; ties go round, so namespaces made one at a time still spread over every worker. */
  #leastBusy(): number {
    const start = this.#turn++ % this.size;
    let best = start;
    for (let k = 1; k < this.size; k++) {
      const i = (start + k) % this.size;
      if ((this.#slots[i] as Slot).jobs.size < (this.#slots[best] as Slot).jobs.size) best = i;
    }
    return best;
  }

  /** Runs actions in the provider's namespace on a worker thread. */
  run(provider: NsProvider, actions: NsActionSpec[]): Promise<TaskOutcome> {
    if (this.#closed) return Promise.reject(new PoolError("the pool is closed"));
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      const { slot, key } = this.#pick(provider);
      this.#send(slot, { id: this.#nextId++, provider, key, actions, resolve, reject });
    });
  }

  /** Lets work already sent finish, then ends every worker after it closes its sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const exited = new Promise((r) => slot.worker.once("exit", r));
        // Idle workers are unref'd; without this the loop could empty and exit before they do.
        slot.worker.ref();
        slot.worker.postMessage({ type: "close" } satisfies ToWorker);
        await exited;
        this.#fail(slot, new PoolError("the pool was closed"));
      }),
    );
  }
}
