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

/** Loads a custom export (provider or action) and calls it with its args and a context. */
export async function callCustom(module: string, exportName: string, args: unknown, context: object): Promise<unknown> {
  return (await importExport(module, exportName))(args, context);
}
