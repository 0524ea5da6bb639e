/**
 * What this process may do without a worker thread, looked up once: its
 * effective capabilities and util-linux's helpers. Work that a helper program
 * can do for the calling thread (exec-here.ts: nsenter) goes that way only
 * when it can work as the worker would; otherwise a worker does it, and its
 * errors are typed rather than a helper's exit status.
 */
import { readFileSync } from "node:fs";
import { installed } from "./program-path.js";

export const CAP_SYS_PTRACE = 19n;
export const CAP_SYS_ADMIN = 21n;

let effective: bigint | undefined;

/** Whether this process has every one of `caps` in its effective set (CapEff in /proc/self/status). */
export function hasCaps(...caps: bigint[]): boolean {
  if (effective === undefined) {
    const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    effective = line ? BigInt(`0x${line[1]}`) : 0n;
  }
  const have = effective;
  return caps.every((cap) => ((have >> cap) & 1n) === 1n);
}

const helpers = new Map<string, string | undefined>();

/** A helper program's path (looked up in PATH once); undefined when it is not installed. */
export function helper(name: string): string | undefined {
  if (!helpers.has(name)) helpers.set(name, installed(name));
  return helpers.get(name);
}
