/**
 * The worker-thread pool that does every namespace switch. The main thread
 * never changes namespace; work for one namespace always goes to the same
 * worker, so each namespace has one netlink socket and its requests stay in
 * order. A worker that cannot get back to its namespace, dies, or is ended
 * (a task past its timeout) is replaced: the task it was running fails, the
 * ones it had not started go to its replacement, and the descriptors it
 * opened are closed.
 */
import { closeSync, readdirSync, stat } from "node:fs";
import { availableParallelism } from "node:os";
import type { MessagePort, Worker } from "node:worker_threads";
import type { NsActionSpec } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import {
  AbortedError,
  type ErrorJSON,
  NamespaceEnterError,
  type NeslinkError,
  NotFoundError,
  PoolError,
  type SystemCallError,
  TimeoutError,
  typedError,
} from "../errors.js";
import { identityOfEntry, identityOfPath, keyOfIdentity } from "../ffi/identity.js";
import { WORKER_FILE } from "../files/own.js";
import { isExisting, type NsProvider, nsPath } from "../namespace/providers.js";
import { allocateCounts, type RequestStats, readCounts } from "../netlink/request-counts.js";
import { openFileLimit } from "../open-file-limit.js";
import { readFields } from "../validate/shape.js";
import { integer } from "../validate/validate.js";
import { ChildPids } from "../worker/children.js";
import { DescriptorBits } from "../worker/descriptors.js";
import { EndGate } from "../worker/end-gate.js";
import { mayRunLong } from "../worker/user-code.js";

import { PRESSURE_CAP, PRESSURE_CELLS, PRESSURE_HELD } from "../worker/held.js";
import {
  CANCEL_SLOTS,
  CONTROL_CELLS,
  CONTROL_HELD,
  CONTROL_STARTED,
  type FromWorker,
  type Task,
  type TaskReply,
  type ToWorker,
  type WorkerOptions,
  type WorkerShared,
} from "../worker/protocol.js";
import { type Forget, othersForget, poolClosed, poolOpened } from "./open-pools.js";
import { Owners } from "./owners.js";
import { reapOrphans } from "./reaper.js";
import { type RunOptions, runOptions } from "./run-options.js";
import { ensureRoom, systemCallErrorOf } from "./thread-start.js";
import { uncloneableTask } from "./uncloneable.js";
import { whenAborted } from "./when-aborted.js";
import { loadUnderWay, startWorker } from "./worker-argv.js";

export type { RunOptions } from "./run-options.js";

export interface PoolOptions {
  /** Worker threads (default: the core count, at least 2, at most 16). */
  size?: number;
  /**
   * Namespaces one worker keeps a descriptor and a netlink socket open for
   * (default: 1024, less when the process's descriptor limit would not leave
   * half of what is free when the pool starts free with every worker at its
   * bound; all workers together never hold more than that either). Out of
   * descriptors, workers close what they hold idle and retry before failing
   * with EMFILE.
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

/** What core's own callers add to a task. */
export interface TaskExtras {
  /** Ports inside the actions, moved to the worker with them (a spawned program's stdio, see exec.ts). */
  transfer?: readonly MessagePort[];
  /** The task is linkDo's (see Task). */
  linkDo?: true;
  /**
   * Any worker may run it, not the namespace's owner: the least busy takes it.
   * For work that holds nothing afterwards and need not follow earlier tasks
   * in order (a guarded destroy's share of the deletions).
   */
  anyWorker?: true;
}

interface Job extends Task {
  transfer: readonly MessagePort[];
  resolve: (outcome: TaskOutcome) => void;
  reject: (err: Error) => void;
  /** Its place in the order of tasks sent to its current worker (1 first): compared with what the worker says it started. */
  seq: number;
  /** Stops the timeout timer and the abort listener. */
  settle: () => void;
  /** The worker it was last sent to. */
  slot?: Slot;
}

interface Slot {
  index: number;
  worker: Worker;
  tid: number | undefined;
  /** Jobs sent to this worker and not yet answered, in the order sent. */
  jobs: Map<number, Job>;
  /** Jobs of this turn of the event loop, not posted yet: they go as one message. */
  outbox: Job[];
  /** Jobs ever sent to this worker. */
  sent: number;
  /**
   * Replaced: it will exit and gets no more work. One still in the pool's
   * slots is vacant: its replacement could not be started (short of
   * descriptors), and is when work next comes for it (see #occupied).
   */
  retired: boolean;
  /** Resolves when the worker has reported its thread id; rejects if it could not start. */
  started: Promise<void>;
  /** Why it could not start, when it was short of descriptors: nothing it had is lost, and it may start later. */
  startFailure: SystemCallError | undefined;
  shared: WorkerShared;
  /** How many tasks the worker has started (written by the worker). */
  control: Int32Array;
  /** Why the worker ended, when it says so (dirty) or crashes. */
  failure: string | undefined;
  exited: boolean;
  /** Acknowledgements of forgets this worker was asked for, by ack number (see #forget). */
  forgetting: Map<number, () => void>;
}

/** What the worker is sent of a job. */
const taskOf = ({ id, provider, key, actions, linkDo }: Job): Task => ({ id, provider, key, actions, ...(linkDo && { linkDo }) });

/** Namespaces whose worker the pool remembers (a few MB at most). */
const OWNERS_REMEMBERED = 1 << 16;
/** Jobs started in one turn go to a worker together; a bound lets it start on the first ones sooner. */
const MAX_TASKS_PER_MESSAGE = 64;

/**
 * Descriptors a worker thread itself uses (its event loop's epoll, eventfd,
 * pipes, its home namespace), measured: about 5. A worker is started only with
 * this many free (see thread-start.ts): the others starting alongside, and its
 * own loading, take some while its event loop is being made.
 */
const WORKER_DESCRIPTORS = 8;

/**
 * Namespaces all workers together may hold: each takes two descriptors, and
 * half of what the process has free when the pool starts stays free (for the
 * caller, and for workers loading their modules).
 */
function heldBudget(size: number): number {
  const free = openFileLimit() - readdirSync("/proc/self/fd").length - WORKER_DESCRIPTORS * size;
  return Math.max(1, Math.floor(free / 4));
}

const nothing = () => {};

/** How long close() lets queued work finish before it ends the workers (default). */
const CLOSE_GRACE_MS = 5_000;

/** Starts libuv's thread pool from the main thread, so its threads begin (and stay) in the main namespace. */
function warmLibuvPool(): void {
  stat("/", () => {});
}

export class Pool {
  readonly size: number;
  readonly #options: Omit<WorkerOptions, "shared">;
  readonly #slots: Slot[] = [];
  readonly #owners = new Owners(OWNERS_REMEMBERED);
  #acks = 0;
  /** How the process's other pools (open-pools.ts) have this one let go of namespaces they deleted. */
  readonly #forgetHere: Forget = (keys) => this.#forget(keys);
  /** Where #leastBusy starts looking. */
  #turn = 0;
  #nextId = 1;
  #closed = false;
  /** Workers replaced (they could not return to their namespace, or died). */
  #replaced = 0;
  /** Set when workers cannot even start (e.g. a bad execArgv): respawning would only loop. */
  #broken: PoolError | undefined;

  /**
   * Short of descriptors (EMFILE), throws a SystemCallError naming the limit,
   * having ended the workers it started; a worker that runs short later, as
   * it loads, fails ready() and the work sent to it so.
   */
  constructor(options: PoolOptions = {}) {
    const { size, maxSocketsPerWorker, socketIdleMs } = readFields("options", options, ["size", "maxSocketsPerWorker", "socketIdleMs"]);
    this.size = integer("size", size ?? Math.min(16, Math.max(2, availableParallelism())), 1, 256);
    // Reading the limit opens a file, which may be refused too.
    let budget: number;
    try {
      budget = heldBudget(this.size);
    } catch (err) {
      throw typedError(err);
    }
    this.#options = {
      maxSockets: integer("maxSocketsPerWorker", maxSocketsPerWorker ?? Math.min(1024, Math.ceil(budget / this.size)), 1, 4096),
      socketIdleMs: integer("socketIdleMs", socketIdleMs ?? 30_000, 1, 86_400_000),
      pressure: new SharedArrayBuffer(PRESSURE_CELLS * 4),
      requests: allocateCounts(),
    };
    // Whatever the per-worker bound, all together stay within the budget.
    Atomics.store(new Int32Array(this.#options.pressure), PRESSURE_CAP, Math.min(this.#options.maxSockets * this.size, budget));
    warmLibuvPool();
    try {
      // Room for all at once: each start's own look (#spawn) would not see what the threads started before it still need.
      ensureRoom(WORKER_DESCRIPTORS * this.size, "room for the pool's worker threads to start");
      for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn(i));
    } catch (err) {
      // Those started end as they would at close(), each closing what it opened.
      void this.close();
      throw typedError(err);
    }
    poolOpened(this.#forgetHere);
  }

  /** Resolves once every current worker thread has started (work sent before then simply waits); rejects if one cannot. */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((s) => this.#occupied(s.index).started));
  }

  /** Thread ids of the current workers (those that have started). */
  get workerTids(): number[] {
    return this.#slots.flatMap((s) => (s.tid === undefined || s.retired ? [] : [s.tid]));
  }

  /** The netlink requests this pool's workers have sent since it started, by type, and how many of them change the kernel. */
  stats(): RequestStats {
    return readCounts(this.#options.requests);
  }

  /** How many workers were replaced because they could not get back to their namespace or died. */
  get replacedWorkers(): number {
    return this.#replaced;
  }

  /** Starts the worker of slot `index`; throws (a SystemCallError, EMFILE) if there is no room for it. */
  #spawn(index: number): Slot {
    ensureRoom(WORKER_DESCRIPTORS, "room for a worker thread of the pool to start");
    const shared: WorkerShared = {
      control: new SharedArrayBuffer(CONTROL_CELLS * 4),
      cancelled: new SharedArrayBuffer(CANCEL_SLOTS * 4),
      descriptors: DescriptorBits.allocate(),
      children: ChildPids.allocate(),
      endGate: EndGate.allocate(),
    };
    const worker = startWorker(WORKER_FILE, { workerData: { ...this.#options, shared } satisfies WorkerOptions });
    let markStarted = () => {};
    let failStart: (err: Error) => void = () => {};
    const started = new Promise<void>((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    // The work sent to it says why it could not start; ready() may never be asked.
    started.catch(() => {});
    const slot: Slot = {
      index,
      worker,
      tid: undefined,
      jobs: new Map(),
      outbox: [],
      sent: 0,
      retired: false,
      started,
      shared,
      control: new Int32Array(shared.control),
      failure: undefined,
      startFailure: undefined,
      exited: false,
      forgetting: new Map(),
    };
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") {
        slot.tid = msg.tid;
        markStarted();
        this.#unrefIfIdle(slot);
        return;
      }
      if (msg.type === "forgotten") {
        slot.forgetting.get(msg.ack)?.();
        slot.forgetting.delete(msg.ack);
        this.#unrefIfIdle(slot);
        return;
      }
      if (msg.type === "pressure") {
        for (const other of this.#slots) if (other !== slot) other.worker.postMessage({ type: "relieve" } satisfies ToWorker);
        return;
      }
      if (msg.type === "dirty") {
        slot.failure = msg.reason;
        if (!slot.retired) this.#retire(slot);
        return;
      }
      const deleted: string[] = [];
      const afterForget: (() => void)[] = [];
      for (const reply of msg.replies) {
        const job = slot.jobs.get(reply.id);
        // Failed already (aborted or timed out as its reply came): the handles it hands over would be nobody's, each
        // keeping a namespace alive.
        if (!job) {
          closeAll(reply.handed ?? []);
          continue;
        }
        slot.jobs.delete(reply.id);
        // Replace a stranded worker at once, so no new work is sent to it.
        if (!reply.returned && !slot.retired) this.#retire(slot);
        if (reply.deleted) deleted.push(...reply.deleted);
        // Work sent for it before this reply came already chose a worker; its order stays.
        if (reply.createdKey !== undefined && this.#owners.get(reply.createdKey) === undefined) this.#owners.set(reply.createdKey, index);
        job.settle();
        const outcome = { returned: reply.returned, results: reply.results, error: reply.error, created: reply.created };
        if (reply.deleted?.length) afterForget.push(() => job.resolve(outcome));
        else job.resolve(outcome);
      }
      this.#unrefIfIdle(slot);
      if (deleted.length > 0)
        void Promise.all([this.#forget(deleted, slot), othersForget(this.#forgetHere, deleted)]).then(() => {
          for (const resolve of afterForget) resolve();
        });
    });
    worker.on("error", (err) => {
      slot.failure = `worker crashed: ${err instanceof Error ? err.message : String(err)}`;
      if (slot.tid !== undefined) return;
      const refused = err instanceof Error ? systemCallErrorOf(err, "a worker thread of the pool could not start") : undefined;
      // Short of descriptors, a later start may succeed; anything else (a bad execArgv) would fail every time.
      if (refused?.code === "EMFILE" || refused?.code === "ENFILE") slot.startFailure = refused;
      else this.#broken ??= new PoolError(`worker failed to start: ${slot.failure}`);
      failStart(slot.startFailure ?? (this.#broken as PoolError));
    });
    worker.on("exit", (code) => this.#exited(slot, code));
    // Left ref'd until it is ready (then unref'd while idle, see "ready"): a process that ended while a worker was still
    // loading koffi had that worker torn down inside koffi's init, which aborts the process (FATAL ERROR: napi_throw).
    return slot;
  }

  /**
   * A worker ended (asked to, or not). What it opened outside Node is closed
   * here, since nothing else will. Its tasks that had started fail (they may
   * have done part of their work: running them again could do it twice);
   * those that had not go to its replacement.
   */
  #exited(slot: Slot, code: number): void {
    slot.exited = true;
    // Its descriptors are closed below: what it was asked to forget is.
    for (const forgotten of slot.forgetting.values()) forgotten();
    slot.forgetting.clear();
    // A bit is set only while its descriptor is open and the worker's; if closing ever failed, an exit handler must still not throw.
    closeAll(new DescriptorBits(slot.shared.descriptors).drain());
    // Its event loop is gone: nothing else will collect the programs it started once they end.
    reapOrphans(new ChildPids(slot.shared.children).drain());
    Atomics.sub(new Int32Array(this.#options.pressure), PRESSURE_HELD, Atomics.exchange(slot.control, CONTROL_HELD, 0));
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    if (this.#closed || this.#broken) {
      for (const job of jobs) this.#reject(job, this.#broken ?? new PoolError("the pool was closed"));
      return;
    }
    if (slot.startFailure && this.#slots[slot.index] === slot) {
      // Started again when work next comes for it, not now: while the shortage lasts that would fail over and over.
      slot.retired = true;
      for (const job of jobs) this.#reject(job, slot.startFailure);
      return;
    }
    if (!slot.retired) this.#retire(slot);
    const started = Atomics.load(slot.control, CONTROL_STARTED);
    const reason = slot.failure ?? `worker exited with code ${code}`;
    let current: Slot | NeslinkError | undefined;
    for (const job of jobs) {
      if (job.seq <= started) this.#reject(job, new PoolError(`${reason} during the task`));
      // Its ports went to the dead worker with it: it cannot be sent again.
      else if (job.transfer.length > 0) this.#reject(job, new PoolError(`${reason} before the task started`));
      else {
        current ??= this.#occupiedOrWhy(slot.index);
        if (current instanceof Error) this.#reject(job, current);
        else this.#send(current, job);
      }
    }
  }

  /**
   * Replaces a worker. Out of descriptors, the slot stays vacant instead: this
   * runs in a worker's exit or message handler or in a timer, where a throw
   * would end the process. The work for it then fails with that error, or
   * starts it (#occupied) once there is room.
   */
  #retire(slot: Slot): void {
    slot.retired = true;
    this.#replaced++;
    try {
      this.#slots[slot.index] = this.#spawn(slot.index);
    } catch {
      // Vacant: see above.
    }
  }

  /** The live slot `index`, its worker started now if it is vacant; throws (typed) if it still cannot be. */
  #occupied(index: number): Slot {
    const slot = this.#slots[index] as Slot;
    if (!slot.retired) return slot;
    try {
      const fresh = this.#spawn(index);
      this.#slots[index] = fresh;
      return fresh;
    } catch (err) {
      throw typedError(err);
    }
  }

  #occupiedOrWhy(index: number): Slot | NeslinkError {
    try {
      return this.#occupied(index);
    } catch (err) {
      return err as NeslinkError;
    }
  }

  #reject(job: Job, err: Error): void {
    job.settle();
    job.reject(err);
  }

  /**
   * An idle worker does not keep the process alive; one with jobs does, and so does one still starting (see #spawn):
   * unref'd when its only task was aborted before it ran, it let the process exit under a pending `await pool.ready()`.
   */
  #unrefIfIdle(slot: Slot): void {
    if (slot.tid !== undefined && slot.jobs.size === 0 && slot.forgetting.size === 0) slot.worker.unref();
  }

  #send(slot: Slot, job: Job): void {
    if (slot.jobs.size === 0) slot.worker.ref();
    job.seq = ++slot.sent;
    job.slot = slot;
    slot.jobs.set(job.id, job);
    slot.outbox.push(job);
    if (slot.outbox.length === 1) queueMicrotask(() => this.#post(slot));
    else if (slot.outbox.length >= MAX_TASKS_PER_MESSAGE) this.#post(slot);
  }

  #post(slot: Slot): void {
    if (slot.outbox.length === 0) return;
    const jobs = slot.outbox;
    slot.outbox = [];
    try {
      slot.worker.postMessage(
        { type: "tasks", tasks: jobs.map(taskOf) } satisfies ToWorker,
        jobs.flatMap((job) => job.transfer),
      );
    } catch {
      // Hand-built input the structured clone refuses (a function, a Proxy, a getter that throws): this runs in a
      // microtask, where a throw would end the caller's process. Each job goes alone, so only the bad ones fail.
      for (const job of jobs) this.#postAlone(slot, job);
    }
  }

  /** Posts one job; one that cannot be copied fails with a ValidationError and is replaced by a stub its worker skips. */
  #postAlone(slot: Slot, job: Job): void {
    try {
      slot.worker.postMessage({ type: "tasks", tasks: [taskOf(job)] } satisfies ToWorker, job.transfer);
      return;
    } catch (err) {
      // Marked as cancelled, the stub keeps the worker's count of started tasks in step with the jobs' seq.
      Atomics.store(new Int32Array(slot.shared.cancelled), job.seq % CANCEL_SLOTS, job.seq);
      const stub: Task = { id: job.id, provider: { kind: "now" }, actions: [] };
      slot.worker.postMessage({ type: "tasks", tasks: [stub] } satisfies ToWorker);
      for (const port of job.transfer) port.close();
      if (slot.jobs.get(job.id) !== job) return;
      slot.jobs.delete(job.id);
      this.#reject(job, uncloneableTask(job, err));
      this.#unrefIfIdle(slot);
    }
  }

  /**
   * Fails a job before its reply (timeout, abort). One not started yet is
   * marked for its worker to skip; one started can only be stopped by ending
   * its thread, which the replacement takes over from.
   */
  #cancel(job: Job, err: Error): void {
    const slot = job.slot;
    if (slot?.jobs.get(job.id) !== job) return;
    slot.jobs.delete(job.id);
    job.settle();
    // Mark first, then look: if the worker had not started it, it sees the mark (both sides use sequentially consistent atomics).
    Atomics.store(new Int32Array(slot.shared.cancelled), job.seq % CANCEL_SLOTS, job.seq);
    if (job.seq > Atomics.load(slot.control, CONTROL_STARTED)) {
      this.#reject(job, err);
      this.#unrefIfIdle(slot);
      return;
    }
    slot.failure = "worker ended (a task on it timed out or was aborted)";
    if (!slot.retired) this.#retire(slot);
    terminate(slot);
    // Core's own work ends within a system call or two, and then nothing of the task runs after its failure: failed
    // at once, a create aborted went on to name its entry after the caller had looked for what it left. User code
    // may sit in a call that no end of its thread cuts short, and a program's end may wait on the program (stopped,
    // traced): such a task fails at once (a program started late is ended with the thread). The worker stays ref'd.
    if (slot.exited || mayRunLong(job) || job.actions.some((a) => a.kind === "exec")) this.#reject(job, err);
    else slot.worker.once("exit", () => this.#reject(job, err));
  }

  /**
   * Tells every worker that namespaces were deleted (by `from`, which closed
   * what it held on them itself, or by another pool). Settles once each other
   * worker that owned one has closed its descriptor and socket there: a
   * deletion returns only when nothing of the pool keeps the namespace alive.
   * Only owners hold anything on a namespace (work on it goes to them); a
   * worker that exits closes everything it held.
   */
  #forget(keys: readonly string[], from?: Slot): Promise<void> {
    const owners = new Set<number>();
    for (const key of keys) {
      const owner = this.#owners.get(key);
      if (owner !== undefined && owner !== from?.index) owners.add(owner);
    }
    this.#owners.delete(keys);
    const acks: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (!owners.has(slot.index) || slot.exited) {
        slot.worker.postMessage({ type: "forget", keys } satisfies ToWorker);
        continue;
      }
      const ack = this.#acks++;
      // Its answer is awaited: the process must not exit for want of anything else to wait on.
      slot.worker.ref();
      acks.push(new Promise<void>((resolve) => slot.forgetting.set(ack, resolve)));
      slot.worker.postMessage({ type: "forget", keys, ack } satisfies ToWorker);
    }
    return Promise.all(acks).then(() => undefined);
  }

  /** Work for a namespace goes to the worker that holds it (and its socket); new ones, and ones never seen, to the least busy. */
  #pick(provider: NsProvider, anyWorker: boolean): { index: number; key?: string } {
    if (!isExisting(provider)) return { index: this.#leastBusy() };
    const path = nsPath(provider, process.pid);
    let key: string;
    try {
      // A mount dir's entry is never followed (a symlink there may lead anywhere); the worker checks what it is.
      key = keyOfIdentity(provider.kind === "name" ? identityOfEntry(path) : identityOfPath(path));
    } catch (err) {
      if (hasErrno(err, "ENOENT") || hasErrno(err, "ENOTDIR")) throw new NotFoundError("namespace", `no namespace at ${path}`);
      // There may well be one (EACCES: a directory on the way is closed to us): it cannot be entered, as the worker would say.
      throw new NamespaceEnterError(provider.kind, true, err);
    }
    if (anyWorker) return { index: this.#leastBusy(), key };
    const index = this.#owners.get(key) ?? this.#leastBusy();
    this.#owners.set(key, index);
    return { index, key };
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

  /**
   * Runs actions in the provider's namespace on a worker thread. Past
   * `options.timeoutMs`, or when `options.signal` aborts, the task fails with
   * a TimeoutError or AbortedError; if it had started, its worker is ended and
   * replaced (nothing else can stop user code or a blocked call), and the task
   * fails once that thread has ended, so nothing of it runs after (a task
   * with user code fails at once: its code may be in a call no end cuts short).
   * `extras` are core's own: the MessagePorts the actions carry (see spawn), and whether the task is linkDo's.
   */
  run(provider: NsProvider, actions: NsActionSpec[], options?: RunOptions, extras: TaskExtras = {}): Promise<TaskOutcome> {
    if (this.#closed) return Promise.reject(new PoolError("the pool is closed"));
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      const { timeoutMs, signal } = options === undefined ? {} : runOptions(options);
      if (signal?.aborted) throw new AbortedError(signal.reason);
      const { index, key } = this.#pick(provider, extras.anyWorker === true);
      // Thrown here, it rejects: a worker that could not be replaced for want of descriptors, and still cannot be started.
      const slot = this.#occupied(index);
      const { transfer = [], linkDo } = extras;
      const job: Job = { id: this.#nextId++, provider, key, actions, transfer, resolve, reject, seq: 0, settle: nothing };
      if (linkDo) job.linkDo = linkDo;
      if (timeoutMs !== undefined || signal) job.settle = this.#watch(job, timeoutMs, signal);
      this.#send(slot, job);
    });
  }

  /** Cancels `job` at its timeout or when its signal aborts; returns what stops watching. */
  #watch(job: Job, timeoutMs: number | undefined, signal: AbortSignal | undefined): () => void {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.#cancel(job, new TimeoutError(timeoutMs)), timeoutMs);
    // The pending task keeps the process alive (its worker is ref'd), not the timer.
    timer?.unref();
    const stopWaiting = signal && whenAborted(signal, () => this.#cancel(job, new AbortedError(signal.reason)));
    return () => {
      clearTimeout(timer);
      stopWaiting?.();
    };
  }

  /**
   * Lets work already sent finish, then ends every worker after it closes its
   * sockets. Workers still busy after `graceMs` (default 5 s) are ended, their
   * tasks failed: close always returns.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    const graceMs = integer("graceMs", options.graceMs ?? CLOSE_GRACE_MS, 0, 2_147_483_647);
    this.#closed = true;
    poolClosed(this.#forgetHere);
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (slot.exited) return;
        const exited = new Promise((r) => slot.worker.once("exit", r));
        // Idle workers are unref'd; without this the loop could empty and exit before they do.
        slot.worker.ref();
        // Tasks sent in this same tick still wait in the outbox for their microtask: they go first, or the worker ends without them.
        this.#post(slot);
        slot.worker.postMessage({ type: "close" } satisfies ToWorker);
        const timer = setTimeout(() => terminate(slot), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** Closes descriptors nothing else will: one already closed is no reason to stop, nor to throw in a message handler. */
function closeAll(fds: Iterable<number>): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {}
  }
}

/**
 * Ends the worker's thread, though not within its load of koffi's native module (ended there, it would abort the
 * process: ffi/load-gate.ts), nor within a step it must finish (an open and its record, a program's start and its
 * pid's): it starts none from now on, and the load or step under way is waited for, however long it takes. A step
 * takes a system call or a spawn, which terminate() could not cut short anyway (it takes effect at the thread's next
 * JavaScript, after them); ended past a bound instead (100 ms, as it was), the thread lost the record: under load one
 * spawn took 1.7 s, and its program stayed a zombie. A load takes tens of ms, but a thread kept from running (load,
 * a debugger) past the 2 s it was given was ended inside it.
 */
function terminate(slot: Slot): void {
  const busy = loadUnderWay(slot.worker) || !new EndGate(slot.shared.endGate).shut();
  if (!slot.exited && busy) {
    setTimeout(() => terminate(slot), 1);
    return;
  }
  void slot.worker.terminate();
}
