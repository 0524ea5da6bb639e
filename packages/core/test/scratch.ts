/**
 * A unit test's scratch directory and the child process it starts, both gone
 * after each test. The child is killed and waited for: a process still dying
 * holds its locks and sockets, which the next test would meet.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/** Kills `child` (SIGKILL) unless it has exited, and resolves once it has. */
export async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** Hooks giving each test a new `dir` (neslink-TAG-*), and ending the `child` it sets and removing `dir` after it. */
export function scratch(tag: string): { dir: string; child: ChildProcess | undefined } {
  const state: { dir: string; child: ChildProcess | undefined } = { dir: "", child: undefined };
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), `neslink-${tag}-`));
  });
  afterEach(async () => {
    if (state.child) await killed(state.child);
    state.child = undefined;
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
