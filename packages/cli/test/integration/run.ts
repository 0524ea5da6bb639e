/** Runs the built bin as a user would, in a child process. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What ships: the compiled bin. */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

export function neslink(...args: string[]) {
  return neslinkWith(undefined, ...args);
}

export function neslinkWith(input: string | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** With --json: the status and the parsed body. */
export function json(...args: string[]) {
  const r = neslink("--json", ...args);
  return { status: r.status, body: JSON.parse(r.stdout) };
}
