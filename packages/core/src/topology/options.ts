/**
 * The options of load, plan, apply, inspect and destroy, checked as core's
 * other options objects are: known fields only (a misspelt `expected` would
 * silently drop apply's check of the plan its caller confirmed), each of its
 * type before anything starts, and read once.
 */
import { shown, ValidationError } from "../errors.js";
import { readFields } from "../validate/shape.js";

export function topologyOptions(options: unknown, keys: readonly string[]): Record<string, unknown> {
  const r = readFields("options", options, keys);
  const { pool, onProgress, signal, cwd, label } = r;
  // By what it does rather than instanceof: a program can load two copies of core, each with its Pool class.
  if (pool !== undefined && typeof (pool as { run?: unknown } | null)?.run !== "function")
    throw new ValidationError("options.pool", `must be a Pool, got ${shown(pool)}`);
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new ValidationError("options.onProgress", `must be a function, got ${shown(onProgress)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ValidationError("options.signal", "must be an AbortSignal");
  for (const [key, value] of [
    ["cwd", cwd],
    ["label", label],
  ] as const)
    if (value !== undefined && (typeof value !== "string" || value.length === 0))
      throw new ValidationError(`options.${key}`, `must be a non-empty string, got ${shown(value)}`);
  return r;
}
