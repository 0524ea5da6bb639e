/**
 * A pool worker: one OS thread that enters namespaces for tasks, one task at
 * a time. If it ever cannot get back to its own namespace it reports that,
 * closes what it holds and ends, never running anything again.
 */
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { NsActionSpec } from "../actions/ns-actions.js";
import { ActionError, NamespaceEnterError, NotFoundError, SystemCallError, toErrorJSON } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { isExisting, type NsProvider, nsPath } from "../namespace/providers.js";
import { runAction, type TaskContext } from "./actions.js";
import { callCustom } from "./custom.js";
import { createNamed } from "./named.js";
import { DIRTY_EXIT_CODE, type TaskReply, type ToWorker, type WorkerOptions } from "./protocol.js";
import { SocketCache } from "./sockets.js";
import { identity, keyOf, openCurrent, SELF_NS } from "./switch.js";

const port = parentPort;
if (!port) throw new Error("@neslink/core worker started outside a worker thread");
const options = workerData as WorkerOptions;
const sockets = new SocketCache(options.maxSockets, options.socketIdleMs);
/**
 * This thread's own namespace, captured on this thread before it ever
 * switches, and the only place it returns to. setns to it succeeding is what
 * "returned" means.
 */
const home = openCurrent();

setInterval(() => sockets.sweep(), Math.max(1000, options.socketIdleMs / 2)).unref();

/** Opens the provider's namespace file, for providers that name an existing one. */
async function openTarget(provider: NsProvider): Promise<number> {
  const path = isExisting(provider)
    ? nsPath(provider, process.pid)
    : provider.kind === "custom"
      ? String(await callCustom(provider.module, provider.export, provider.args, {}))
      : undefined;
  if (path === undefined) throw new Error(`provider "${provider.kind}" has no path`);
  try {
    return openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError("namespace", `no namespace at ${path}`);
    throw err;
  }
}

/** Switches this thread into the namespace `fd` refers to; returns its "dev:ino". */
function enterFd(fd: number, what: string): string {
  try {
    libc.setns(fd, libc.CLONE_NEWNET, what);
  } catch (err) {
    if (err instanceof SystemCallError && err.code === "EINVAL") {
      throw new NotFoundError("namespace", `${what} does not refer to a network namespace`);
    }
    throw err;
  }
  return keyOf(fd);
}

/** Puts this thread into the provider's namespace (creating it if asked); sets ctx.key. Returns a handle for "new". */
async function enter(provider: NsProvider, ctx: TaskContext): Promise<number | undefined> {
  if (provider.kind === "new") {
    libc.unshare(libc.CLONE_NEWNET);
    const fd = libc.openUntracked(SELF_NS);
    ctx.handedOut.push(fd);
    ctx.key = keyOf(fd);
    return fd;
  }
  const fd =
    provider.kind === "newNamed" ? openSync((await createNamed(provider.name, provider.dir)).path, "r") : await openTarget(provider);
  try {
    ctx.key = enterFd(fd, `provider "${provider.kind}"`);
  } finally {
    closeSync(fd);
  }
  return undefined;
}

/** Runs the provider and actions; returns which failed, if any. Leaves the thread wherever the work left it. */
async function work(provider: NsProvider, actions: NsActionSpec[], ctx: TaskContext, results: unknown[]) {
  let created: number | undefined;
  try {
    created = await enter(provider, ctx);
  } catch (error) {
    return { created, failed: { index: -1, error } };
  }
  for (const [index, action] of actions.entries()) {
    try {
      results.push(await runAction(ctx, action));
    } catch (error) {
      return { created, failed: { index, error } };
    }
  }
  return { created, failed: undefined };
}

/** Back home; false (with the reason) if the kernel refused, and the thread must then never run anything again. */
function goHome(): { returned: boolean; returnError?: unknown } {
  try {
    libc.setns(home, libc.CLONE_NEWNET, "return");
    return { returned: true };
  } catch (returnError) {
    return { returned: false, returnError };
  }
}

async function runTask(id: number, provider: NsProvider, actions: NsActionSpec[]): Promise<void> {
  const ctx: TaskContext = { key: "", sockets, handedOut: [], deleted: [] };
  const results: unknown[] = [];
  const { created, failed } = await work(provider, actions, ctx, results);
  const { returned, returnError } = goHome();

  const reply: TaskReply = { type: "done", id, returned, deleted: ctx.deleted };
  if (failed) {
    for (const fd of ctx.handedOut) libc.close(fd);
    const { index, error } = failed;
    reply.error = toErrorJSON(
      index < 0
        ? new NamespaceEnterError(`could not enter namespace (${provider.kind}): ${(error as Error).message}`, returned, error)
        : new ActionError(index, (actions[index] as NsActionSpec).kind, returned, error),
    );
  } else {
    reply.results = results;
    if (created !== undefined) reply.created = { fd: created, ...identity(created) };
  }
  if (!returned) reply.error ??= toErrorJSON(returnError);
  port?.postMessage(reply);
  endIfStranded(returned);
}

/** A thread that did not get back runs nothing again; closing descriptors does not depend on the namespace. */
function endIfStranded(returned: boolean): void {
  if (returned) return;
  sockets.closeAll();
  process.exit(DIRTY_EXIT_CODE);
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (msg: ToWorker) => {
  queue = queue.then(async () => {
    switch (msg.type) {
      case "task":
        // runTask reports every failure of the work itself; this catches its own (e.g. no descriptor left).
        return runTask(msg.id, msg.provider, msg.actions).catch((err) => {
          const { returned } = goHome();
          port.postMessage({ type: "done", id: msg.id, returned, error: toErrorJSON(err) } satisfies TaskReply);
          endIfStranded(returned);
        });
      case "forget":
        return sockets.forget(msg.key);
      case "close":
        sockets.closeAll();
        return process.exit(0);
    }
  });
});
port.postMessage({ type: "ready", tid: libc.gettid() });
