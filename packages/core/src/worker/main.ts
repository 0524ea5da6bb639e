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
import { comeBack, currentKey, currentNs, identity, openCurrent, SELF_NS } from "./switch.js";

const port = parentPort;
if (!port) throw new Error("@neslink/core worker started outside a worker thread");
const options = workerData as WorkerOptions;
const sockets = new SocketCache(options.maxSockets, options.socketIdleMs);
/** The namespace this thread must always come back to. */
const home = currentNs();

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

/** Puts this thread into the provider's namespace (creating it if asked). Returns a handle for "new". */
async function enter(provider: NsProvider, ctx: TaskContext): Promise<number | undefined> {
  if (provider.kind === "new") {
    libc.unshare(libc.CLONE_NEWNET);
    const fd = libc.openUntracked(SELF_NS);
    ctx.handedOut.push(fd);
    return fd;
  }
  if (provider.kind === "newNamed") {
    const made = await createNamed(provider.name, provider.dir);
    const fd = openSync(made.path, "r");
    try {
      libc.setns(fd, libc.CLONE_NEWNET, made.path);
    } finally {
      closeSync(fd);
    }
    return undefined;
  }
  const fd = await openTarget(provider);
  try {
    libc.setns(fd, libc.CLONE_NEWNET, "enter");
  } catch (err) {
    if (err instanceof SystemCallError && err.code === "EINVAL") {
      throw new NotFoundError("namespace", `provider "${provider.kind}" does not refer to a network namespace`);
    }
    throw err;
  } finally {
    closeSync(fd);
  }
  return undefined;
}

async function runTask(id: number, provider: NsProvider, actions: NsActionSpec[]): Promise<void> {
  const ctx: TaskContext = { key: "", sockets, handedOut: [], deleted: [] };
  const results: unknown[] = [];
  let failed: { index: number; error: unknown } | undefined;
  let created: number | undefined;
  const origin = openCurrent();
  const outcome = await comeBack(origin, async () => {
    try {
      created = await enter(provider, ctx);
      ctx.key = currentKey();
    } catch (error) {
      failed = { index: -1, error };
      return;
    }
    for (const [index, action] of actions.entries()) {
      try {
        results.push(await runAction(ctx, action));
      } catch (error) {
        failed = { index, error };
        return;
      }
    }
  });
  closeSync(origin);
  const returned = outcome.returned && currentNs() === home;

  const reply: TaskReply = { type: "done", id, returned, key: ctx.key, deleted: ctx.deleted };
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
  if (!returned) reply.error ??= toErrorJSON(outcome.returnError);
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
          const returned = currentNs() === home;
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
