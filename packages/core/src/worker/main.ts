/**
 * A pool worker: one OS thread that enters namespaces for tasks, one task at
 * a time. If it ever cannot get back to its own namespace, or finds itself
 * elsewhere between tasks, it reports that, closes what it holds and ends,
 * never running anything again.
 */
// First: the load gate (ffi/load-gate.ts) must be passed before koffi loads, with the imports below.
import "../ffi/worker-load-gate.js";
import { parentPort, workerData } from "node:worker_threads";
import { load as loadCodec } from "@neslink/codec-wasm";
import type { NsActionSpec } from "../actions/ns-actions.js";
import { hasErrno } from "../errno.js";
import { type ActionError, NamespaceEnterError, NamespaceReturnError, NotFoundError, toErrorJSON } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { nativeLoaded } from "../ffi/worker-load-gate.js";
import { openNamespace, openProviderNs } from "../namespace/entry.js";
import { type ExistingNsProvider, isExisting, type NsProvider } from "../namespace/providers.js";
import { RequestCounter } from "../netlink/request-counts.js";
import { countRequestsIn } from "../netlink/socket.js";
import { checkTask } from "../validate/task.js";
import { type InstantAction, runAction, socketOf, type TaskContext, there } from "./actions.js";
import { ChildPids } from "./children.js";
import { createLinks, creationRun } from "./create-links.js";
import { callCustom } from "./custom.js";
import { DescriptorBits } from "./descriptors.js";
import { EndGate } from "./end-gate.js";
import { mayRunLong } from "./user-code.js";
import { recordChildrenIn, startExec } from "./exec.js";
import { placedError, RunFailure } from "./failures.js";
import { HeldNamespaces } from "./held.js";
import { deleteNamedRun, deletionRun, enterNewNamed } from "./named.js";
import { Outbox } from "./outbox.js";
import {
  CANCEL_SLOTS,
  CONTROL_STARTED,
  type FromWorker,
  type Task,
  type TaskReply,
  type ToWorker,
  type WorkerOptions,
} from "./protocol.js";
import { handleJSON, keyOf, keyOfPath, openCurrent, SELF_NS } from "./switch.js";

nativeLoaded();

if (!parentPort) throw new Error("@neslink/core worker started outside a worker thread");
const port = parentPort;
const options = workerData as WorkerOptions;
countRequestsIn(new RequestCounter(options.requests));
const control = new Int32Array(options.shared.control);
const cancelled = new Int32Array(options.shared.cancelled);
const endGate = new EndGate(options.shared.endGate);
recordChildrenIn(new ChildPids(options.shared.children, endGate));
const descriptors = new DescriptorBits(options.shared.descriptors);
libc.recordDescriptorsIn(descriptors, endGate);
const held = new HeldNamespaces(options.maxSockets, options.socketIdleMs, descriptors, {
  cells: new Int32Array(options.pressure),
  own: control,
  ask: () => port.postMessage({ type: "pressure" } satisfies FromWorker),
});
/**
 * This thread's own namespace, captured on this thread before it ever
 * switches, and the only place it returns to. setns to it succeeding is what
 * "returned" means. (Opened through node:fs: Node closes it when the worker ends.)
 */
const home = openCurrent();
const homeKey = keyOf(home);

setInterval(() => held.sweep(), Math.max(1000, options.socketIdleMs / 2)).unref();

/**
 * Providers whose namespace a descriptor may be held for: named ones live
 * until deleted (neslink's deletes release it at once) and the caller's own
 * always lives. Handles, processes and paths are the caller's to release: a
 * held descriptor would keep their namespace alive.
 */
const HELD_KINDS = new Set<NsProvider["kind"]>(["name", "now"]);

/** A descriptor of this worker's (see DescriptorBits), opened by `open`; held ones are closed first if none are left. */
function owned(open: () => number): number {
  return held.own(held.roomFor(open));
}

/** Whether the thread is in its own namespace: one statx. */
function atHome(): boolean {
  return keyOfPath(SELF_NS) === homeKey;
}

/** Opens the provider's namespace file, for providers that name an existing one, checked to be a network namespace. */
async function openTarget(provider: NsProvider): Promise<number> {
  if (isExisting(provider)) return owned(() => openProviderNs(provider, process.pid));
  if (provider.kind !== "custom") throw new Error(`provider "${provider.kind}" has no path`);
  const path = String(await callCustom(provider.module, provider.export, provider.args, {}));
  return owned(() => openNamespace(path, { follow: true }));
}

/** Switches this thread into the namespace `fd` refers to; returns its "dev:ino". */
function enterFd(fd: number, what: string): string {
  try {
    libc.setns(fd, libc.CLONE_NEWNET, what);
  } catch (err) {
    if (hasErrno(err, "EINVAL")) {
      throw new NotFoundError("namespace", `${what} does not refer to a network namespace`);
    }
    throw err;
  }
  return keyOf(fd);
}

/** Enters a namespace this worker holds something for: by its held descriptor, else by path, checked to be the same namespace. */
function enterHeld(provider: NsProvider, key: string): void {
  const fd = held.fd(key);
  if (fd !== undefined) {
    libc.setns(fd, libc.CLONE_NEWNET, `provider "${provider.kind}"`);
    return;
  }
  const reopened = owned(() => openProviderNs(provider as ExistingNsProvider, process.pid));
  try {
    if (keyOf(reopened) !== key) throw new NotFoundError("namespace", `provider "${provider.kind}" no longer refers to the same namespace`);
    libc.setns(reopened, libc.CLONE_NEWNET, `provider "${provider.kind}"`);
  } finally {
    held.close(reopened);
  }
}

/**
 * The task's namespace is the thread's own: it never switches, so work there
 * needs no privilege (setns does, even into the namespace the thread is in).
 */
function stayHome(ctx: TaskContext): void {
  ctx.key = homeKey;
  ctx.inside = () => {};
}

/**
 * Gets the task ready to work in the provider's namespace (creating it if
 * asked) and sets ctx.key. `key` is the namespace the pool found at the
 * provider's path when the task was sent: if it is this thread's own, the
 * thread stays; if this worker holds a descriptor or socket for it, the
 * switch waits until an action needs the thread inside (ctx.inside).
 * Otherwise the thread enters now. Returns a handle for "new".
 */
async function enter(provider: NsProvider, key: string | undefined, ctx: TaskContext): Promise<number | undefined> {
  if (provider.kind === "new") {
    ctx.inside();
    libc.unshare(libc.CLONE_NEWNET);
    const fd = owned(() => libc.openUntracked(SELF_NS));
    ctx.handedOut.push(fd);
    ctx.key = keyOf(fd);
    return fd;
  }
  if (provider.kind === "newNamed") {
    ctx.inside();
    ctx.key = keyOfPath(enterNewNamed(provider.name, provider.dir, provider.loAlias).path);
    return undefined;
  }
  // A handle's number is trusted only once opened and checked (openProviderNs), not by what the pool found at it.
  const checked = provider.kind === "handle" ? await openTarget(provider) : undefined;
  const known = checked === undefined ? key : keyOf(checked);
  if (known === homeKey || (known !== undefined && held.has(known))) {
    if (checked !== undefined) held.close(checked);
    if (known === homeKey) {
      stayHome(ctx);
      return undefined;
    }
    ctx.key = known;
    const leaving = ctx.inside;
    ctx.inside = once(() => {
      leaving();
      enterHeld(provider, known);
    });
    return undefined;
  }
  const fd = checked ?? (await openTarget(provider));
  try {
    if (keyOf(fd) === homeKey) {
      held.close(fd);
      stayHome(ctx);
      return undefined;
    }
    ctx.inside();
    ctx.key = enterFd(fd, `provider "${provider.kind}"`);
  } catch (err) {
    held.close(fd);
    throw err;
  }
  if (HELD_KINDS.has(provider.kind)) held.hold(ctx.key, fd);
  else held.close(fd);
  return undefined;
}

/** `fn` the first time, nothing after. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    fn();
    done = true;
  };
}

/**
 * Runs the action at `index`, or the run of actions starting there that go to
 * the kernel together (link creations pipelined, namespace deletions
 * concurrently); returns how many ran. A run's failure is a RunFailure.
 */
async function runFrom(ctx: TaskContext, actions: readonly NsActionSpec[], index: number, results: unknown[]): Promise<number> {
  const creations = creationRun(actions, index);
  if (creations.length > 1) {
    results.push(...(await createLinks(socketOf(ctx), creations, there(ctx))));
    return creations.length;
  }
  const deletions = deletionRun(actions, index);
  if (deletions.length > 0) {
    const { deleted, failure } = await deleteGuarded(deletions);
    for (const d of deleted) {
      if (d) {
        ctx.held.forget(d.key);
        ctx.deleted.push(d.key);
      }
      results.push(d?.ns ?? null);
    }
    if (failure) throw failure;
    return deletions.length;
  }
  results.push(await runAction(ctx, actions[index] as InstantAction));
  return 1;
}

/**
 * deleteNamedRun, whose guarded checks go from namespace to namespace to
 * open their sockets: the thread comes back to where it was after them (a
 * thread that cannot is dirty, as after any failed return).
 */
async function deleteGuarded(deletions: Parameters<typeof deleteNamedRun>[0]): ReturnType<typeof deleteNamedRun> {
  let origin: number | undefined;
  const access = {
    enter(fd: number) {
      origin ??= owned(() => libc.openUntracked(SELF_NS));
      libc.setns(fd, libc.CLONE_NEWNET, "deleteNamed (guarded)");
    },
    roomFor: <T>(open: () => T) => held.roomFor(open),
    own: (fd: number) => held.own(fd),
    close: (fd: number) => held.close(fd),
    maxHolds: options.maxSockets,
  };
  try {
    return await deleteNamedRun(deletions, access);
  } finally {
    if (origin !== undefined) {
      try {
        libc.setns(origin, libc.CLONE_NEWNET, "return");
      } catch (err) {
        // Failing to come back outranks whatever the run did.
        stranded(err);
      } finally {
        held.close(origin);
      }
    }
  }
}

/** The action that failed (-1: entering the namespace) and why; the later ones done all the same (RunFailure.doneAfter). */
interface Failure {
  index: number;
  error: unknown;
  doneAfter?: number[];
}

/** A task between its start and its reply. */
interface Run {
  task: Task;
  ctx: TaskContext;
  results: unknown[];
  /** The handle on a namespace the provider created anonymously. */
  created?: number;
  /** The thread left home for this task (ctx.inside ran) and must go back. */
  away: boolean;
}

/** An exec that started its program: the task goes on at `index + 1` once `ended` settles. */
interface Waiting {
  index: number;
  ended: Promise<unknown>;
  /** The namespace the program runs in, for the actions after it. */
  nsFd: number;
}

/**
 * Runs actions from `from` on; returns the one that failed, or the exec
 * that must be waited for. Leaves the thread wherever the work left it. Runs
 * of actions that go to the kernel together (runFrom) have the outcome of
 * running them in order.
 */
async function work(run: Run, from: number): Promise<{ failed?: Failure; waiting?: Waiting }> {
  const { ctx, results, task } = run;
  for (let index = from; index < task.actions.length; ) {
    const action = task.actions[index] as NsActionSpec;
    try {
      if (action.kind === "exec") {
        ctx.inside();
        const nsFd = held.own(held.roomFor(() => libc.openUntracked(SELF_NS)));
        try {
          return { waiting: { index, ended: startExec(action), nsFd } };
        } catch (error) {
          held.close(nsFd);
          throw error;
        }
      }
      index += await runFrom(ctx, task.actions, index, results);
      // Handles the actions opened are this worker's to close until the reply carries them out.
      for (const fd of ctx.handedOut) held.own(fd);
    } catch (error) {
      if (!(error instanceof RunFailure)) return { failed: { index, error } };
      return { failed: { index: index + error.offset, error: error.error, doneAfter: error.doneAfter.map((offset) => index + offset) } };
    }
  }
  return {};
}

/** Back home; false (with the reason) if the kernel refused, and the thread must then never run anything again. */
/** See TaskContext.stranded: the task's later actions must not run where the thread is now; home at least, or the worker ends. */
function stranded(returnError: unknown): never {
  if (!goHome().returned) end();
  throw new NamespaceReturnError(returnError);
}

function goHome(): { returned: boolean; returnError?: unknown } {
  try {
    libc.setns(home, libc.CLONE_NEWNET, "return");
    return { returned: true };
  } catch (returnError) {
    return { returned: false, returnError };
  }
}

/** What a turn of a task on the queue ends with: its reply, or a program to wait for before its next turn. */
type Step = { reply: TaskReply } | { suspended: Suspended };

interface Suspended {
  /** Settles when the program has ended: with the failure, if it is one. */
  ended: Promise<Failure | undefined>;
  /** The task's next turn. */
  resume(failed: Failure | undefined): Promise<Step>;
}

async function runTask(task: Task): Promise<Step> {
  // Hand-built or altered objects arrive too: all of the task is checked, by the constructors' rules, before anything is touched.
  const checked: Task = { ...task, ...checkTask(task) };
  // Replies already done should not wait for user code, which may take long.
  if (mayRunLong(checked)) {
    // Its code can leave something behind (a timer that calls setns): from now on every turn checks where the thread is.
    userCodeRan = true;
    outbox.flush();
  }
  const run: Run = {
    task: checked,
    ctx: { key: "", held, inside: () => {}, handedOut: [], deleted: [], stranded },
    results: [],
    away: false,
  };
  // Until something moves the thread (ctx.inside), it is home and needs no way back.
  run.ctx.inside = () => {
    run.away = true;
  };
  try {
    run.created = await enter(checked.provider, checked.key, run.ctx);
  } catch (error) {
    return { reply: finish(run, { index: -1, error }) };
  }
  return proceed(run, 0);
}

async function proceed(run: Run, from: number): Promise<Step> {
  const { failed, waiting } = await work(run, from);
  return waiting ? suspend(run, waiting) : { reply: finish(run, failed) };
}

/**
 * A task whose program is running: the thread goes home and is free for
 * other tasks (the program stays in the namespace it was forked in). When
 * the program ends, the task's next turn enters again through `nsFd` and
 * runs the actions after it, so their order holds.
 */
function suspend(run: Run, { index, ended, nsFd }: Waiting): Step {
  const back = goHome();
  if (!back.returned) {
    held.close(nsFd);
    return { reply: finish(run, { index, error: back.returnError }) };
  }
  run.away = false;
  const unpin = held.pin(run.ctx.key);
  return {
    suspended: {
      ended: ended.then(
        (value) => {
          run.results.push(value);
          return undefined;
        },
        (error: unknown) => ({ index, error }),
      ),
      async resume(failed) {
        try {
          if (failed) return { reply: finish(run, failed) };
          run.ctx.inside = once(() => {
            run.away = true;
            libc.setns(nsFd, libc.CLONE_NEWNET, "resume after exec");
          });
          return await proceed(run, index + 1);
        } finally {
          held.close(nsFd);
          unpin();
        }
      },
    },
  };
}

/** The one error a failed action of the task becomes (see placedError). */
function actionError({ actions, linkDo }: Task, { index, error, doneAfter }: Failure, returned: boolean): ActionError {
  return placedError(actions, linkDo, index, error, returned, doneAfter);
}

/** The task's reply, once the thread is back home. */
function finish({ task, ctx, results, created, away }: Run, failed: Failure | undefined): TaskReply {
  const { id, provider } = task;
  const { returned, returnError } = away ? goHome() : { returned: true, returnError: undefined };

  const reply: TaskReply = { id, returned };
  if (ctx.deleted.length > 0) reply.deleted = ctx.deleted;
  if ((provider.kind === "new" || provider.kind === "newNamed") && ctx.key !== "") reply.createdKey = ctx.key;
  if (failed) {
    for (const fd of ctx.handedOut) held.close(fd);
    reply.error = toErrorJSON(
      failed.index < 0 ? new NamespaceEnterError(provider.kind, returned, failed.error) : actionError(task, failed, returned),
    );
  } else {
    reply.results = results;
    if (created !== undefined) reply.created = handleJSON(created);
    if (ctx.handedOut.length > 0) {
      handedOut.set(id, ctx.handedOut);
      reply.handed = ctx.handedOut;
    }
  }
  if (!returned) reply.error ??= toErrorJSON(returnError);
  return reply;
}

/** Descriptors each finished task hands to the user, by task id: still this worker's until its reply is posted. */
const handedOut = new Map<number, number[]>();
const outbox = new Outbox((replies) => {
  // Before posting: a worker that dies between the two leaks them rather than have the pool close the user's.
  for (const { id } of replies) {
    for (const fd of handedOut.get(id) ?? []) held.handOver(fd);
    handedOut.delete(id);
  }
  port.postMessage({ type: "done", replies } satisfies FromWorker);
});
/** Tasks received and not yet answered. */
let queued = 0;

/** Ends this worker: it must never run anything again. Closing descriptors does not depend on the namespace. */
function end(): never {
  held.closeAll();
  process.exit(1);
}

/**
 * Set once a task has run the user's code (or a program) on this worker:
 * neslink's own work always returns the thread home (or ends the worker), so
 * only after user code can the thread be elsewhere between turns.
 */
let userCodeRan = false;

/** Something (user code, a timer it left) moved the thread since the last turn: it may start nothing more. */
function checkHome(): void {
  if (!userCodeRan || atHome()) return;
  outbox.flush();
  port.postMessage({ type: "dirty", reason: "the worker thread was outside its namespace between tasks" } satisfies FromWorker);
  end();
}

async function runQueued(task: Task): Promise<void> {
  checkHome();
  // The pool reads this after the worker dies: tasks started by then failed with it, the others are sent elsewhere.
  const seq = Atomics.add(control, CONTROL_STARTED, 1) + 1;
  queued--;
  // Failed already by the pool (timeout, abort) before it started.
  if (Atomics.load(cancelled, seq % CANCEL_SLOTS) === seq) {
    if (queued === 0) outbox.flush();
    return;
  }
  return runTurn(task.id, () => runTask(task));
}

/** Programs running for suspended tasks; each settles once the task's next turn is queued. */
const waiting = new Set<Promise<void>>();

/** A task's program runs: its next turn is queued when the program ends. It started already, so it is not counted or cancelled again. */
function wait(id: number, { ended, resume }: Suspended): void {
  // Replies held back for tasks queued behind this one must not wait for the program.
  if (queued === 0) outbox.flush();
  const queuedNext = ended.then((failed) => {
    queued++;
    queue = queue.then(() => {
      checkHome();
      queued--;
      return runTurn(id, () => resume(failed));
    });
  });
  waiting.add(queuedNext);
  void queuedNext.finally(() => waiting.delete(queuedNext));
}

/** One turn of a task: its start, or what it does after a program it started has ended. */
async function runTurn(id: number, turn: () => Promise<Step>): Promise<void> {
  held.beginTask();
  held.relieve();
  let step: Step;
  try {
    step = await turn();
  } catch (err) {
    // runTask reports every failure of the work itself; this is bad input it could not even read, or no descriptor left.
    step = { reply: { id, returned: atHome() || goHome().returned, error: toErrorJSON(err) } };
  }
  held.endTask();
  if ("suspended" in step) return wait(id, step.suspended);
  outbox.add(step.reply, queued > 0);
  if (!step.reply.returned) end();
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (msg: ToWorker) => {
  switch (msg.type) {
    case "tasks":
      queued += msg.tasks.length;
      for (const task of msg.tasks) queue = queue.then(() => runQueued(task));
      return;
    case "relieve":
      held.relieve();
      return;
    case "forget":
      queue = queue.then(() => {
        for (const key of msg.keys) held.forget(key);
        if (msg.ack !== undefined) port.postMessage({ type: "forgotten", ack: msg.ack } satisfies FromWorker);
      });
      return;
    case "close":
      closeWhenDone();
  }
});

/** Ends the worker after the work already sent, including the programs of suspended tasks and what runs after them. */
function closeWhenDone(): void {
  queue = queue.then(async () => {
    if (waiting.size > 0) {
      await Promise.all(waiting);
      return closeWhenDone();
    }
    held.closeAll();
    process.exit(0);
  });
}
// Every worker encodes: its codec is compiled before it says it is ready, not in its first task.
loadCodec();
port.postMessage({ type: "ready", tid: libc.gettid() } satisfies FromWorker);
