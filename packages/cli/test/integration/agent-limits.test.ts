/**
 * `neslink agent --max-connections N --idle-timeout SECONDS`: the agent's limits, given when it starts (before, 256
 * and 10 s, fixed), as a child process of the built bin with real clients and raw connections to its socket.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startAgent } from "./agent-process.js";
import { BIN } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-t26r-limits-`);
const agents: ChildProcess[] = [];
const detached: number[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const proc of agents.splice(0)) proc.kill("SIGKILL");
  for (const pid of detached.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function neslink(args: string[], agent = "") {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_AGENT: agent },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An agent on a socket of its own, with `args`; resolves with that socket once it listens. */
async function agentOn(name: string, ...args: string[]): Promise<string> {
  const socket = `${dir}/${name}.sock`;
  agents.push(await startAgent(socket, ...args));
  return socket;
}

/** A connection to `socket` that sends nothing: what it is told, and its events in order. */
async function idle(socket: string) {
  const conn = connect(socket);
  sockets.push(conn);
  let told = "";
  const events: string[] = [];
  conn.on("data", (d: Buffer) => {
    told += d.toString("latin1");
    if (told.includes("ERR_REQUEST_TIMEOUT") && !events.includes("told")) events.push("told");
  });
  const closed = new Promise<void>((resolve) =>
    conn.on("close", () => {
      events.push("closed");
      resolve();
    }),
  );
  await new Promise((resolve) => conn.once("connect", resolve));
  return { told: () => told, events, closed };
}

describe("neslink agent --max-connections N", () => {
  it("refuses the third client at once of an agent serving 2, with the typed error; serves one once a connection ends", async () => {
    const socket = await agentOn("max", "--max-connections", "2", "--idle-timeout", "600");
    const held = [await idle(socket), await idle(socket)];
    const refused = neslink(["ns", "list"], socket);
    expect(refused).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "neslink: ERR_TOO_MANY_CONNECTIONS: the agent serves 2 connections at once and has as many; nothing was run (try again once one ends)\n",
    });
    const json = JSON.parse(neslink(["--json", "ns", "list"], socket).stdout);
    expect(json.error.code).toBe("ERR_TOO_MANY_CONNECTIONS");
    sockets[0]?.destroy();
    await held[0]?.closed;
    // The agent may see the end a little after this side: the first command may still be refused.
    let served = neslink(["ns", "list"], socket);
    for (let i = 0; i < 50 && served.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      served = neslink(["ns", "list"], socket);
    }
    expect(served).toMatchObject({ status: 0, stderr: "" });
  });

  it("is passed on to the agent --detach starts", async () => {
    const socket = `${dir}/detached.sock`;
    const started = neslink(["--json", "agent", "--detach", "--socket", socket, "--max-connections", "1", "--idle-timeout", "600"]);
    expect(started.status).toBe(0);
    const { pid } = JSON.parse(started.stdout) as { pid: number };
    detached.push(pid);
    await idle(socket);
    expect(neslink(["ns", "list"], socket).stderr).toContain("ERR_TOO_MANY_CONNECTIONS: the agent serves 1 connection at once");
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain("--max-connections");
  });
});

describe("neslink agent --idle-timeout SECONDS", () => {
  it("closes a connection that sends nothing after SECONDS, telling it so, long before the default 10 s", async () => {
    const socket = await agentOn("idle", "--idle-timeout", "1");
    const conn = await idle(socket);
    const tenth = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
    await Promise.race([conn.closed, tenth.then(() => conn.events.push("5 s passed"))]);
    expect(conn.events).toEqual(["told", "closed"]);
    expect(conn.told()).toContain("ERR_REQUEST_TIMEOUT: no request came within 1 s of connecting; the agent closed the connection");
  });
});

describe("neslink agent: its limits checked before anything is done", () => {
  const bad: [string, string][] = [
    ["--max-connections", "0"],
    ["--max-connections", "-3"],
    ["--max-connections", "many"],
    ["--max-connections", "2.5"],
    ["--max-connections", "1000000000"],
    ["--idle-timeout", "0"],
    ["--idle-timeout", "-1"],
    ["--idle-timeout", "0.0001"],
    ["--idle-timeout", "1e3"],
    ["--idle-timeout", "1s"],
    ["--idle-timeout", "86401"],
  ];
  it.each(bad)("%s %s: a usage error naming the option (exit 2); no socket", (option, value) => {
    const socket = `${dir}/refused.sock`;
    const range = option === "--idle-timeout" ? "a number of seconds from 0.001 to 86400" : "a whole number from 1 to 65536";
    expect(neslink(["agent", "--socket", socket, option, value])).toEqual({
      status: 2,
      stdout: "",
      stderr: `neslink: ERR_INVALID_ARGUMENT: ${option}: must be ${range}, not "${value}"\nRun "neslink agent --help" for usage.\n`,
    });
    const json = JSON.parse(neslink(["--json", "agent", "--socket", socket, option, value]).stdout);
    expect(json.error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: option });
    expect(existsSync(socket)).toBe(false);
  });
});
