/**
 * Starting the agent: here in the foreground, or (--detach) as a child of
 * its own session that tells its parent over an IPC channel when it listens,
 * or why it could not, and then lets the channel go.
 */
import { spawn } from "node:child_process";
import { type ErrorJSON, errorFromJSON, NeslinkError, toErrorJSON } from "@neslink/core/errors";
import type { Terminal } from "../command.js";
import { type AgentLimits, limitArgs } from "./limits.js";
import { serve } from "./server.js";

type Report = { pid: number } | { error: ErrorJSON };

/** To the parent that started this agent with --detach, if one did. */
function report(message: Report): void {
  if (process.connected) process.send?.(message, () => process.disconnect());
}

export async function runAgent(socket: string, terminal: Terminal, limits: AgentLimits): Promise<void> {
  try {
    await serve(socket, terminal, (pid) => report({ pid }), limits);
  } catch (err) {
    report({ error: toErrorJSON(err) });
    throw err;
  }
}

/** Starts `neslink agent --socket PATH` with `limits` in the background; resolves with its pid once it listens. */
export function startDetached(socket: string, limits: AgentLimits): Promise<number> {
  const bin = process.argv[1] as string;
  const child = spawn(process.execPath, [bin, "agent", "--socket", socket, ...limitArgs(limits)], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new NeslinkError("ERR_AGENT_UNAVAILABLE", `the agent ended (${signal ?? `status ${code}`}) before it listened`)),
    );
    child.once("message", (message: Report) => {
      child.removeAllListeners("exit");
      child.disconnect();
      child.unref();
      if ("error" in message) reject(errorFromJSON(message.error));
      else resolve(message.pid);
    });
  });
}
