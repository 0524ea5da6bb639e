/**
 * What a test asks of processes it started and ended, from /proc: a unit
 * test's flock holders and an integration test's programs alike. A killed
 * process holds its descriptors (a lock, a namespace) until it has exited,
 * which its parent hearing of another one's exit does not say.
 */
import { readFileSync } from "node:fs";

/** Whether process `pid` runs: not gone, nor ended and not yet reaped (an exited process has let go of its descriptors). */
export function runs(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Whether any process of process group `group` is left (one killed is, until its parent has reaped it). */
export function groupLeft(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}
