/**
 * A call's relative paths made absolute against the caller's directory, for
 * calls that come from elsewhere (the agent's clients): the agent's own
 * directory is process-wide and shared by every client at once, so it cannot
 * be changed for one of them. Topology files are read from the caller's
 * directory by core instead (lab.ts), so that their problems name them as typed.
 */
import { isAbsolute, resolve } from "node:path";
import type { Invocation } from "./command.js";

/** A namespace given as a path (it has a "/", see target.ts), made absolute; a name, pid or LAB:NODE is left alone. */
export function nsIn(cwd: string, spec: string): string {
  return spec.includes("/") && !isAbsolute(spec) ? resolve(cwd, spec) : spec;
}

/** -n NS and -f FILE (the shell's script) taken from `cwd`. */
export function invocationIn(cwd: string, { args, ns, options }: Invocation): Invocation {
  return {
    args,
    ns: ns === undefined ? undefined : nsIn(cwd, ns),
    options: typeof options.file === "string" ? { ...options, file: resolve(cwd, options.file) } : options,
  };
}
