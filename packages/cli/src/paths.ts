/**
 * A call's relative paths made absolute against the caller's directory, for
 * calls that come from elsewhere (the agent's clients): the agent's own
 * directory is process-wide and shared by every client at once, so it cannot
 * be changed for one of them.
 */
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Command, Invocation } from "./command.js";

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A namespace given as a path (it has a "/", see target.ts), made absolute; a name, pid or LAB:NODE is left alone. */
export function nsIn(cwd: string, spec: string): string {
  return spec.includes("/") && !isAbsolute(spec) ? resolve(cwd, spec) : spec;
}

/** FILE made absolute; FILE|NAME only when such a file exists there (else it names a lab). */
function argIn(cwd: string, name: string | undefined, arg: string): string {
  if (name === "FILE") return resolve(cwd, arg);
  return name === "FILE|NAME" && isFile(resolve(cwd, arg)) ? resolve(cwd, arg) : arg;
}

export function invocationIn(cwd: string, command: Command, invocation: Invocation): Invocation {
  const { args, ns, options } = invocation;
  return {
    args: args.map((arg, i) => argIn(cwd, command.args[i] ?? command.rest?.name, arg)),
    ns: ns === undefined ? undefined : nsIn(cwd, ns),
    options: typeof options.file === "string" ? { ...options, file: resolve(cwd, options.file) } : options,
  };
}
