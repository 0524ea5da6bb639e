/**
 * Why a task could not be posted to a worker: the structured clone refuses
 * functions, symbols and proxies, and rethrows what a getter throws. The
 * checks of what a task holds run on the worker, on its copy (so a getter
 * cannot show the check one value and the work another); this names the
 * field at fault when the copy itself fails.
 */
import { types } from "node:util";
import { ValidationError } from "../errors.js";
import { at, item } from "../validate/shape.js";

/** The path of the first value in `value` that cannot be copied to a thread, or undefined if none is found. */
function uncloneablePath(field: string, value: unknown, seen: Set<object>): string | undefined {
  if (typeof value === "function" || typeof value === "symbol") return field;
  if (typeof value !== "object" || value === null) return undefined;
  if (types.isProxy(value) || seen.has(value)) return types.isProxy(value) ? field : undefined;
  seen.add(value);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return field;
  }
  const isArray = Array.isArray(value);
  for (const key of keys) {
    const path = isArray ? item(field, Number(key)) : at(field, key);
    let member: unknown;
    try {
      member = (value as Record<string, unknown>)[key];
    } catch {
      return path;
    }
    const found = uncloneablePath(path, member, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The ValidationError for a task whose `provider` and `actions` failed to post with `cause`. */
export function uncloneableTask(task: { provider: unknown; actions: unknown }, cause: unknown): ValidationError {
  const seen = new Set<object>();
  const field = uncloneablePath("provider", task.provider, seen) ?? uncloneablePath("actions", task.actions, seen) ?? "actions";
  // A DataCloneError quotes the function's whole source: the start says which.
  const why = (cause instanceof Error ? cause.message : String(cause)).slice(0, 200);
  return new ValidationError(
    field,
    `cannot be sent to a worker thread, which takes plain data only (no function, symbol or Proxy): ${why}`,
  );
}
