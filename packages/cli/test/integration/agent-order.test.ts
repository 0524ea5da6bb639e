/**
 * The order of a program's output and error: run through an agent of this
 * test's own (and by `exec` lines of `neslink shell`), what it writes to
 * stdout and stderr comes out in the order it wrote it when both go to one
 * file, as directly (`2>&1`); into two files, each gets only its own lines.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { startAgent } from "./agent-process.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("ao");
const ns = `${prefix}a`;
const dir = mkdtempSync(`${tmpdir()}/neslink-agent-order-`);
const socket = `${dir}/agent.sock`;
let agent: ChildProcess | undefined;

const LINES = 100;
// The even lines on stdout, the odd ones on stderr, each a write(2) of its own.
const SCRIPT = `i=0; while [ $i -lt ${LINES} ]; do if [ $((i % 2)) -eq 0 ]; then echo "out $i"; else echo "err $i" >&2; fi; i=$((i + 1)); done`;
const lines = Array.from({ length: LINES }, (_, i) => `${i % 2 === 0 ? "out" : "err"} ${i}\n`);
const only = (kind: string) => lines.filter((line) => line.startsWith(kind)).join("");

/** `sh -c 'LINE'` with "$@" the bin and `args`: the shell's redirections are the client's descriptors. */
function shell(line: string, args: string[], agentSocket = socket, input?: string) {
  const r = spawnSync("sh", ["-c", line, "sh", process.execPath, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    input,
    env: { ...process.env, NESLINK_AGENT: agentSocket },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  ip("netns", "add", ns);
  agent = await startAgent(socket);
});

afterAll(() => {
  agent?.kill("SIGTERM");
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe("exec through the agent", () => {
  it("stdout and stderr into one pipe (2>&1): the program's lines in the order it wrote them, every run", () => {
    for (let run = 0; run < 5; run++) {
      const r = shell('"$@" 2>&1', ["exec", ns, "--", "sh", "-c", SCRIPT]);
      expect(r).toEqual({ status: 0, stdout: lines.join(""), stderr: "" });
    }
  });

  it("stdout and stderr into two files: each gets only its own lines", () => {
    const [out, err] = [`${dir}/out`, `${dir}/err`];
    const r = shell(`"$@" >${out} 2>${err}`, ["exec", ns, "--", "sh", "-c", SCRIPT]);
    expect(r).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(readFileSync(out, "utf8")).toBe(only("out"));
    expect(readFileSync(err, "utf8")).toBe(only("err"));
  });
});

describe("exec lines of neslink shell, without the agent", () => {
  it("stdout and stderr into one pipe (2>&1): in the order written; into two pipes: each its own", () => {
    const script = `exec ${ns} -- sh -c '${SCRIPT}'\n`;
    const merged = shell('"$@" 2>&1', ["shell"], "", script);
    expect(merged).toEqual({ status: 0, stdout: lines.join(""), stderr: "" });
    const apart = shell('"$@"', ["shell"], "", script);
    expect(apart).toEqual({ status: 0, stdout: only("out"), stderr: only("err") });
  });
});
