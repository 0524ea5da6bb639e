/** The process's soft limit on open descriptors: Node has no getrlimit, /proc/self/limits has it. */
import { readFileSync } from "node:fs";

export function openFileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const soft = Number(line?.split(/\s{2,}/)[1]);
  return Number.isFinite(soft) ? soft : 1024;
}
