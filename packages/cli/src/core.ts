/**
 * @neslink/core, loaded when a command first needs it, not at start-up: help,
 * usage errors and `ns list` never pay for the pool and codec. A one-shot
 * command works in one namespace at a time, so its pool gets one worker (a
 * thread less to start); topology commands and the shell keep core's default.
 */
import type * as Full from "@neslink/core";
import { asDirectCall } from "@neslink/core/errors";
import type * as Lean from "@neslink/core/lean";
import type * as Link from "@neslink/core/link";
import type * as Read from "@neslink/core/read";
import type * as Replace from "@neslink/core/replace";
import type * as Spawn from "@neslink/core/spawn";

let workers: number | undefined = 1;
let module: Promise<typeof Lean> | undefined;
let pooled: Promise<typeof Lean> | undefined;

/** How many workers the pool gets when it starts (undefined: core's default, one per core). */
export function setPoolSize(size: number | undefined): void {
  workers = size;
}

/** Namespace providers and the reads that need no worker (links, addresses): the smallest part of core a command can load. */
export function reader(): Promise<typeof Read> {
  return import("@neslink/core/read");
}

/** A program run in place of this process (a one-shot `exec`): no child_process, no streams, no pool. */
export function replacer(): Promise<typeof Replace> {
  return import("@neslink/core/replace");
}

/** `spawn` alone: a program started where nsenter can enter the namespace needs no pool (core loads it when one must). */
export function spawner(): Promise<typeof Spawn> {
  return import("@neslink/core/spawn");
}

/** linkDo with the link and namespace providers and link actions; the pool is loaded only when a call needs one. */
export function linker(): Promise<typeof Link> {
  return import("@neslink/core/link");
}

/** One linkDo call: from this thread where core can make it there (see @neslink/core/link), else on the pool lean() sizes. */
export async function linkDoOnce(
  where: Link.NsProvider,
  provider: Link.LinkProvider,
  ...actions: Link.LinkAction[]
): Promise<Link.LinkDoOutcome<unknown[]>> {
  const { canLinkDoHere, linkDo } = await linker();
  // The pool starts with the first task sent to it: sized first.
  if (!canLinkDoHere(where, provider, actions)) await lean();
  return asCommand(linkDo(where, provider, ...actions), actions.length);
}

/**
 * One nsDo call: from this thread where core can make it there (socket-only
 * actions in an existing namespace: see @neslink/core/link), else on the
 * pool lean() sizes.
 */
export async function nsDoOnce<const A extends readonly Link.NsAction[]>(
  where: Link.NsProvider,
  ...actions: A
): Promise<Link.NsDoResult<Link.ResultsOf<A>>> {
  const { canDoHere, nsDoHere } = await linker();
  // The pool starts with the first task sent to it: sized first.
  if (!canDoHere(where, actions)) await lean();
  return asCommand(nsDoHere(where, ...actions), actions.length);
}

/**
 * A command made of one action fails as that action (asDirectCall):
 * "(delRoute)", not "(action #0: delRoute)", an index into a list of
 * actions the user never wrote. Fields are unchanged.
 */
async function asCommand<T>(call: Promise<T>, actions: number): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw actions === 1 ? asDirectCall(err) : err;
  }
}

/** Core without the topology engine, and without starting the pool (watch has a thread of its own). */
export function providers(): Promise<typeof Lean> {
  module ??= import("@neslink/core/lean");
  return module;
}

/** Providers, actions, nsDo: everything but topologies. The first call starts the pool at the size set. */
export function lean(): Promise<typeof Lean> {
  pooled ??= providers().then(async (core) => {
    if (workers !== undefined) await core.configure({ size: workers });
    return core;
  });
  return pooled;
}

/** Topologies (and all of lean). */
export async function topology(): Promise<typeof Full.topology> {
  await lean();
  return (await import("@neslink/core")).topology;
}

/** Ends the pool if one started (by `lean()`, or by core itself, e.g. spawn where it needs a worker); the next `lean()` starts a new one. */
export async function closePool(): Promise<void> {
  const pending = pooled ?? module;
  pooled = undefined;
  if (pending) await (await pending).closeDefaultPool();
}
