/** Loads and calls user code (custom providers and actions) on the worker thread. */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationError } from "../errors.js";

async function importExport(module: string, exportName: string): Promise<(...args: unknown[]) => unknown> {
  const url = isAbsolute(module) ? pathToFileURL(module).href : module;
  const mod: Record<string, unknown> = await import(url);
  const fn = mod[exportName];
  if (typeof fn !== "function") throw new ValidationError("export", `"${exportName}" is not a function exported by ${module}`);
  return fn as (...args: unknown[]) => unknown;
}

/**
 * Loads a custom export (provider or action) and calls it with its args and a
 * context. Its result must cross to the main thread: one that cannot (a
 * function, a symbol...) fails here, as this task's error, rather than when the
 * reply is posted, where it would take the worker and other tasks' replies with it.
 */
export async function callCustom(module: string, exportName: string, args: unknown, context: object): Promise<unknown> {
  const value = await (await importExport(module, exportName))(args, context);
  try {
    structuredClone(value);
  } catch (err) {
    throw new ValidationError(
      "result",
      `${exportName} in ${module} returned a value that cannot be sent between threads: ${(err as Error).message}`,
    );
  }
  return value;
}
