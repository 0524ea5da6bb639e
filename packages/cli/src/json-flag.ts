import { ownArgs } from "./program-argv.js";

/** Whether errors must be printed as JSON: known even when the rest of argv does not parse (and before anything is loaded). */
export function wantsJson(argv: readonly string[]): boolean {
  return ownArgs(argv).includes("--json");
}
