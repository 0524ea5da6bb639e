/** Runs the built bin as a user would, in a child process. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What ships: the compiled bin. */
export const BIN = fileURLToPath(new URL("../../dist/bin.cjs", import.meta.url));

export function neslink(...args: string[]) {
  return neslinkWith(undefined, ...args);
}

export function neslinkWith(input: string | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built bin as nobody (uid 65534, no capability): a user who forgot sudo. */
export function asNobody(...args: string[]) {
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** With --json: the status and the parsed body. */
export function json(...args: string[]) {
  const r = neslink("--json", ...args);
  return { status: r.status, body: JSON.parse(r.stdout) };
}

/** Preloaded into the bin: says on stderr when a worker thread starts. */
const PROBE = fileURLToPath(new URL("./worker-probe.mjs", import.meta.url));
export const PROBED = "probe: a worker thread started\n";

/** The built bin with the probe, and --json. */
export function probed(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", PROBE, BIN, "--json", ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, body: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

/** Preloaded into the bin: its peak memory and CPU time, on stderr's last line. */
const PEAK_PROBE = fileURLToPath(new URL("./peak-probe.mjs", import.meta.url));

/** The built bin with the peak probe: its status, what it wrote, and what it cost (maxRSS in kB, cpuTime in µs). */
export function measured(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", PEAK_PROBE, BIN, ...args], {
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 1 << 30,
  });
  const lines = r.stderr.trimEnd().split("\n");
  const probe = (lines.pop() ?? "").replace(/^probe: /, "");
  return { status: r.status, stdout: r.stdout, stderr: lines.join("\n"), ...(JSON.parse(probe) as { maxRSS: number; cpuTime: number }) };
}
