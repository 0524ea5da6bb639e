/** Per-task options of nsDo, linkDo and Pool#run: how long a task may take, and a way to give up on it. */
import { ValidationError } from "../errors.js";
import { readError, readingAs } from "../validate/shape.js";
import { integer } from "../validate/validate.js";

export interface RunOptions {
  /** Fail the task with a TimeoutError (ERR_TIMEOUT) if it has not finished this many milliseconds after it was sent. */
  timeoutMs?: number;
  /** Fail the task with an AbortedError (ERR_ABORTED) when this signal aborts. */
  signal?: AbortSignal;
}

const KEYS = new Set(["timeoutMs", "signal"]);

/** The options, checked: a misspelt key is an error rather than a timeout silently not applied. */
export function runOptions(options: RunOptions): RunOptions {
  return readingAs("options", () => {
    for (const key of Object.keys(options)) {
      if (!KEYS.has(key)) throw new ValidationError(`options.${key}`, "unknown option (expected timeoutMs or signal)");
    }
    // Each read once: a getter could answer differently a second time.
    const { timeoutMs, signal } = options;
    const checked: RunOptions = {};
    if (timeoutMs !== undefined) checked.timeoutMs = integer("options.timeoutMs", timeoutMs, 1, 2_147_483_647);
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) throw new ValidationError("options.signal", "must be an AbortSignal");
      checked.signal = signal;
    }
    return checked;
  });
}

/**
 * nsDo and linkDo take their options as an optional last argument after the
 * actions: an object that is not an action (actions all have a `kind`).
 */
export function isRunOptions(value: unknown): value is RunOptions {
  return typeof value === "object" && value !== null && !("kind" in value) && !Array.isArray(value);
}

/** Splits nsDo's and linkDo's trailing arguments into actions and options; an action that is no action is refused by position. */
export function splitOptions<T>(args: readonly (T | RunOptions)[], field = "actions"): { actions: T[]; options?: RunOptions } {
  const last = args[args.length - 1];
  let options: RunOptions | undefined;
  try {
    // `in` and the read of `kind` run the caller's Proxy traps and getters: what they throw is a refusal of that argument.
    options = isRunOptions(last) ? last : undefined;
  } catch (err) {
    throw readError(`${field}[${args.length - 1}]`, err);
  }
  const actions = (options ? args.slice(0, -1) : args) as T[];
  actions.forEach((action, i) => {
    let kind: unknown;
    try {
      kind = typeof action === "object" && action !== null ? (action as { kind?: unknown }).kind : undefined;
    } catch (err) {
      throw readError(`${field}[${i}]`, err);
    }
    if (typeof kind !== "string") {
      throw new ValidationError(
        `${field}[${i}]`,
        `must be an action (e.g. from na.* or la.*), got ${action === null ? "null" : Array.isArray(action) ? "an array" : typeof action}`,
      );
    }
  });
  return { actions, options };
}
