/**
 * Runs namespace actions on the worker thread, which is already inside the
 * namespace. Netlink work goes through the namespace's cached socket.
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import type { NsActionSpec } from "../actions/ns-actions.js";
import * as libc from "../ffi/libc.js";
import type { NsHandleJSON } from "../namespace/handle.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { callCustom } from "./custom.js";
import type { HeldNamespaces } from "./held.js";
import type { There } from "./new-link.js";
import { createNamed } from "./named.js";
import type { Task } from "./protocol.js";
import { moveLinkFrom, runSocketAction } from "./socket-actions.js";
import { runsUserCode } from "./user-code.js";
import { handleJSON, keyOf, SELF_NS, within } from "./switch.js";

/** What the task running the actions knows and collects. */
export interface TaskContext {
  /** "dev:ino" of the namespace the thread is in for this task. */
  key: string;
  held: HeldNamespaces;
  /**
   * Puts the thread inside the task's namespace if it is not there yet. Work
   * on a namespace whose socket is held needs no switch at all: a netlink
   * socket stays bound to the namespace it was opened in.
   */
  inside: () => void;
  /** Descriptors handed to the caller; closed again if the task fails. */
  handedOut: number[];
  /** Namespaces deleted by this task. */
  deleted: string[];
  /**
   * A step that left the thread's namespace could not come back (setns
   * failed): the thread goes home, or the worker ends, and the task fails with
   * a NamespaceReturnError, so that none of its later actions runs where the
   * thread is now.
   */
  stranded: (returnError: unknown) => never;
}

/** Actions that finish within their task; an exec only starts its program there (see exec.ts and suspend in main.ts). */
export type InstantAction = Exclude<NsActionSpec, { kind: "exec" }>;

/** The namespace's socket; only opening a new one needs the thread inside. */
export function socketOf(ctx: TaskContext): NetlinkSocket {
  return ctx.held.socket(ctx.key, ctx.inside);
}

/** Actions that run code or open files in the thread's namespace, rather than only talking to its socket. */
function needsInside(action: NsActionSpec): boolean {
  return action.kind === "sysctl" || action.kind === "handle" || runsUserCode(action);
}

function openHandle(ctx: TaskContext): NsHandleJSON {
  const fd = libc.openUntracked(SELF_NS);
  ctx.handedOut.push(fd);
  return handleJSON(fd);
}

const SYSCTL_READ_MAX = 4096;

/**
 * /proc/sys/net is resolved against the opening thread's namespace: this sync
 * open runs here, inside it. A write reads back through the same descriptor,
 * so the value returned is the kernel's after the write.
 */
function sysctl(name: string, value?: string): string {
  const path = `/proc/sys/${name.replaceAll(".", "/")}`;
  if (value === undefined) return readFileSync(path, "utf8").trim();
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, value);
    const buf = Buffer.alloc(SYSCTL_READ_MAX);
    return buf.toString("utf8", 0, readSync(fd, buf, 0, buf.length, 0)).trim();
  } finally {
    closeSync(fd);
  }
}

/** Work on links moved or created into the namespace open as `target`: on the socket this worker holds there. */
export function there(ctx: TaskContext): There {
  return async <T>(target: number, fn: (socket: NetlinkSocket) => T) => {
    const targetKey = keyOf(target);
    // within() has put the thread inside the target, where a new socket must be opened.
    const seen = await within(target, () => fn(ctx.held.socket(targetKey, () => {})));
    if (!seen.returned) ctx.stranded(seen.returnError);
    if (seen.error !== undefined) throw seen.error;
    return seen.value as T;
  };
}

export async function runAction(ctx: TaskContext, action: InstantAction): Promise<unknown> {
  if (needsInside(action)) ctx.inside();
  switch (action.kind) {
    case "link":
      return runSocketAction(socketOf(ctx), action, there(ctx));
    case "links":
    case "addrs":
    case "deleteGroup":
    case "route":
    case "routes":
    case "getLink":
      return runSocketAction(socketOf(ctx), action);
    case "sysctl":
      return sysctl(action.name, action.value);
    case "setLinkNs":
      return moveLinkFrom(socketOf(ctx), action, there(ctx));
    case "handle":
      return openHandle(ctx);
    case "newNamed":
      return createNamed(action.name, action.dir);
    case "custom":
      return callCustom(action.module, action.export, action.args, { key: ctx.key });
  }
}
