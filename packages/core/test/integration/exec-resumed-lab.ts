/**
 * Node a's `exec` entries whose second fails the first time it runs (it leaves the mark it looks for): a `mkdir`
 * before it, which would fail with EEXIST if it ran again, and one after it that appends to a log. Shared by core's
 * and cli's tests of an apply that goes on after a failed entry.
 */
import { readFileSync } from "node:fs";

/** The entries, their files in `dir`. */
export function resumedExec(dir: string) {
  const mkdir = ["mkdir", `${dir}/once`];
  const failsOnce = ["sh", "-c", `[ -e ${dir}/mark ] || { touch ${dir}/mark; exit 1; }`];
  const later = ["sh", "-c", `echo later >> ${dir}/log`];
  return { mkdir, failsOnce, later, all: [mkdir, failsOnce, later] };
}

/** What the lab `name`'s exec record lists for node a. */
export const recordedOfA = (name: string): string[][] | undefined =>
  (JSON.parse(readFileSync(`/run/neslink/topologies/${name}/.exec-record.json`, "utf8")) as { nodes: Record<string, string[][]> }).nodes.a;
