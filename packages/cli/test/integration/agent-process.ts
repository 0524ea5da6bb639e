/** An agent of a test's own, a child process of the built bin. */
import { type ChildProcess, spawn } from "node:child_process";
import { BIN } from "./run.js";

/** `neslink agent --socket SOCKET ARGS...`, its stderr piped here; resolves with it once it listens. */
export async function startAgent(socket: string, ...args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, "agent", "--socket", socket, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (d) => {
    stderr += d;
  });
  await new Promise<void>((resolve, reject) => {
    proc.stderr?.on("data", () => stderr.includes("listening on") && resolve());
    proc.once("exit", () => reject(new Error(`the agent exited: ${stderr}`)));
  });
  return proc;
}
