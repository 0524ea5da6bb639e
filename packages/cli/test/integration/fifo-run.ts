/**
 * The built bin given a FIFO, driven as a user's shell would: started, then, once it holds the FIFO open (waiting
 * for its writer), written to, signalled, or the FIFO's name changed under it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, constants, openSync, readdirSync, readlinkSync, writeSync } from "node:fs";
import { BIN } from "./run.js";

/** Whether process `pid` has `path` open (its /proc fd links), or it has gone. */
export function holds(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return true;
  }
}

export interface FifoRun {
  child: ChildProcess;
  /** What it printed so far. */
  out(): string;
  err(): string;
  /** Its exit status, or the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `neslink ARGS` started (in `cwd`, with `env`), returned once `holder` (the bin itself, or the agent it asks) has
 * `fifo` open, or once the bin has ended (a test then finds what it said). The caller kills `child` in its finally.
 */
export async function startedOn(
  fifo: string,
  args: readonly string[],
  { cwd, env, holder }: { cwd?: string; env?: NodeJS.ProcessEnv; holder?: number } = {},
): Promise<FifoRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void ended.then(() => (gone = true));
  while (!gone && !holds(holder ?? (child.pid as number), fifo)) await new Promise((r) => setTimeout(r, 5));
  return { child, out: () => out, err: () => err, ended };
}

/** `text` written to the FIFO, then closed: non-blocking, so that with no reader left (neslink gone) ENXIO, not a test that hangs. */
export function writeTo(fifo: string, text: string): void {
  const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    if (text.length > 0) writeSync(writer, text);
  } finally {
    closeSync(writer);
  }
}
