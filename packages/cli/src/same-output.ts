import { fstatSync } from "node:fs";

/**
 * Whether this process's descriptors 1 and 2 are the same file (`2>&1`, or
 * both the one terminal); not when either is closed. A program's output and
 * error meant for it then go through one pipe, which keeps their order.
 */
export function sameOutput(): boolean {
  try {
    const [out, err] = [fstatSync(1, { bigint: true }), fstatSync(2, { bigint: true })];
    return out.dev === err.dev && out.ino === err.ino;
  } catch {
    return false;
  }
}
