/**
 * A terminal closed under a running neslink (a tab or an ssh session gone):
 * the commands that handle SIGHUP (monitor, exec --json, every call through
 * the agent) stopped, then exited, and Node 20, restoring the terminal's
 * modes at exit, found it gone and aborted (SIGABRT, a core dump where those
 * are kept). Each now ends as a process without a handler does: of SIGHUP.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("hu");
const dir = mkdtempSync(`${tmpdir()}/neslink-hangup-`);

/**
 * Python's pty: runs argv (stderr to a file) on a terminal of its own, waits until it catches SIGHUP (its handler is
 * set: /proc's SigCgt), closes the terminal, and prints how it ended as JSON.
 */
const HANG_UP = `
import json, os, pty, sys, time
argv, errfile = json.loads(sys.argv[1]), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    os.execvp(argv[0], argv)
def catches_hup():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16) & 1
for _ in range(600):
    if catches_hup(): break
    time.sleep(0.05)
ready = bool(catches_hup())
os.close(fd)
_, status = os.waitpid(pid, 0)
print(json.dumps({"ready": ready, "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                  "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}))
`;

function closedUnder(args: string[], env: NodeJS.ProcessEnv = process.env): { ready: boolean; signal: number | null; stderr: string } {
  const errfile = `${dir}/stderr`;
  const r = spawnSync("python3", ["-c", HANG_UP, JSON.stringify([process.execPath, BIN, ...args]), errfile], {
    encoding: "utf8",
    timeout: 60_000,
    env,
  });
  return { ...JSON.parse(r.stdout), stderr: readFileSync(errfile, "utf8") };
}

const ns = `${prefix}n`;
const socket = `${dir}/agent.sock`;
let agent: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  ip("netns", "add", ns);
  agent = spawn(process.execPath, [BIN, "agent", "--socket", socket], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((resolve) => agent?.stderr?.on("data", (d: Buffer) => d.toString().includes("listening") && resolve(undefined)));
});

afterAll(() => {
  agent?.kill("SIGKILL");
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

const SIGHUP = 1;

it.each([
  ["monitor -n NS", ["monitor", "-n", ns]],
  ["exec --json NS -- sleep 60", ["--json", "exec", ns, "--", "sleep", "60"]],
])("%s, its terminal closed: ends of SIGHUP, not of Node's abort", (_, args) => {
  const ended = closedUnder(args);
  expect(ended.ready).toBe(true);
  expect(ended.stderr).not.toContain("Assertion failed");
  expect(ended.signal).toBe(SIGHUP);
});

it("a call through the agent (monitor), its terminal closed: the client ends of SIGHUP, and the agent serves on", () => {
  const ended = closedUnder(["monitor", "-n", ns], { ...process.env, NESLINK_AGENT: socket });
  expect(ended.ready).toBe(true);
  expect(ended.stderr).not.toContain("Assertion failed");
  expect(ended.signal).toBe(SIGHUP);
  const listed = spawnSync(process.execPath, [BIN, "ns", "list"], { encoding: "utf8", env: { ...process.env, NESLINK_AGENT: socket } });
  expect(listed.stdout.split("\n")).toContain(ns);
});
