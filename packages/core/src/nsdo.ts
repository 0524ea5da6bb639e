/**
 * nsDo and mustNsDo: run actions, in order, inside a network namespace, on a
 * worker thread of a pool, and report whether that thread got back.
 */
import type { NsAction, ResultsOf } from "./actions/ns-actions.js";
import { errorFromJSON, NamespaceReturnError, type NeslinkError } from "./errors.js";
import { NsHandle, type NsHandleJSON } from "./namespace/handle.js";
import type { NsProvider } from "./namespace/providers.js";
import { Pool, type PoolOptions, type TaskExtras, type TaskOutcome } from "./pool/pool.js";
import { type RunOptions, splitOptions } from "./pool/run-options.js";
import { nsProvider } from "./validate/providers.js";

export interface NsDoResult<R extends unknown[]> {
  /** Each action's result, in the order the actions were given. */
  results: R;
  /**
   * The seed's `ok`: the worker thread got back to its original namespace.
   * When false the worker has already been ended and replaced; the actions'
   * results are still valid.
   */
  returned: boolean;
  /** For `ns.create()`: the handle that keeps the new anonymous namespace alive. Close it when done. */
  created?: NsHandle;
}

let shared: Pool | undefined;

/** The pool nsDo uses when none is given; created on first use. */
export function defaultPool(): Pool {
  shared ??= new Pool();
  return shared;
}

/** Closes the default pool if it was ever started (a no-op otherwise); the next nsDo starts a new one. */
export async function closeDefaultPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

/** Replaces the default pool's settings; closes the previous default pool. */
export async function configure(options: PoolOptions): Promise<Pool> {
  const previous = shared;
  shared = new Pool(options);
  await previous?.close();
  return shared;
}

function wrapResult(action: NsAction, value: unknown): unknown {
  return action.kind === "handle" ? new NsHandle(value as NsHandleJSON) : value;
}

function settle<A extends readonly NsAction[]>(actions: A, outcome: TaskOutcome): NsDoResult<ResultsOf<A>> {
  if (outcome.error && (outcome.returned || !outcome.results)) {
    throw errorFromJSON(outcome.error);
  }
  const results = (outcome.results ?? []).map((value, i) => wrapResult(actions[i] as NsAction, value));
  const result: NsDoResult<ResultsOf<A>> = { results: results as ResultsOf<A>, returned: outcome.returned };
  if (outcome.created) result.created = new NsHandle(outcome.created);
  return result;
}

/**
 * Runs `actions` in order inside the namespace `provider` gives, on a worker
 * thread, and resolves with their results. A failing action rejects with an
 * ActionError naming it (index and kind); bad input rejects before anything
 * runs. If the thread cannot get back to its namespace, `returned` is false
 * (or the error's `returned` is) and the worker is replaced.
 */
export function nsDo<const A extends readonly NsAction[]>(provider: NsProvider, ...actions: A): Promise<NsDoResult<ResultsOf<A>>>;
/** With the task's options last: `{ timeoutMs, signal }` (see Pool#run). */
export function nsDo<const A extends readonly NsAction[]>(
  provider: NsProvider,
  ...args: [...A, RunOptions]
): Promise<NsDoResult<ResultsOf<A>>>;
export function nsDo(provider: NsProvider, ...args: (NsAction | RunOptions)[]): Promise<NsDoResult<unknown[]>> {
  let pool: Pool;
  try {
    pool = defaultPool();
  } catch (err) {
    // Its first call starts the pool, which may fail (short of descriptors): a promise's caller expects a rejection.
    return Promise.reject(err);
  }
  return runOn(pool, provider, args);
}

/**
 * nsDo on a given pool. Like nsDo, it takes an optional last argument after
 * the actions: `{ timeoutMs, signal }` (see Pool#run).
 */
export function nsDoOn<const A extends readonly NsAction[]>(
  pool: Pool,
  provider: NsProvider,
  ...actions: A
): Promise<NsDoResult<ResultsOf<A>>>;
export function nsDoOn<const A extends readonly NsAction[]>(
  pool: Pool,
  provider: NsProvider,
  ...args: [...A, RunOptions]
): Promise<NsDoResult<ResultsOf<A>>>;
export function nsDoOn(pool: Pool, provider: NsProvider, ...args: (NsAction | RunOptions)[]): Promise<NsDoResult<unknown[]>> {
  return runOn(pool, provider, args);
}

/** What every nsDo variant does; `args` are the actions, maybe followed by options. */
export async function runOn(
  pool: Pool,
  provider: NsProvider,
  args: readonly (NsAction | RunOptions)[],
  extras?: TaskExtras,
): Promise<NsDoResult<unknown[]>> {
  const { actions, options } = splitOptions<NsAction>(args);
  // The pool looks an existing namespace's path up to pick its worker: the provider is checked before that (the worker checks all).
  const checked = nsProvider("provider", provider);
  return settle(actions, await pool.run(checked, actions, options, extras));
}

/**
 * nsDo, but a thread that cannot get back to its namespace is fatal, as a Go
 * panic is: the NamespaceReturnError is thrown as an uncaught exception (the
 * process exits with code 1 unless an 'uncaughtException' handler recovers)
 * and the returned promise rejects with it too.
 */
export function mustNsDo<const A extends readonly NsAction[]>(provider: NsProvider, ...actions: A): Promise<NsDoResult<ResultsOf<A>>>;
export function mustNsDo<const A extends readonly NsAction[]>(
  provider: NsProvider,
  ...args: [...A, RunOptions]
): Promise<NsDoResult<ResultsOf<A>>>;
export function mustNsDo(provider: NsProvider, ...args: (NsAction | RunOptions)[]): Promise<NsDoResult<unknown[]>> {
  return must(() => runOn(defaultPool(), provider, args));
}

/** Makes a failed return to the original namespace fatal (see mustNsDo). */
export async function must<R extends { returned: boolean }>(run: () => Promise<R>): Promise<R> {
  let result: R;
  try {
    result = await run();
  } catch (err) {
    if ((err as { returned?: boolean }).returned === false) panic(new NamespaceReturnError(err));
    throw err;
  }
  if (!result.returned) panic(new NamespaceReturnError(undefined));
  return result;
}

function panic(err: NeslinkError): never {
  process.nextTick(() => {
    throw err;
  });
  throw err;
}
