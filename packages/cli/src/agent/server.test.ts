/**
 * The agent's connections on a real unix socket (in a directory of the test's
 * own), with its real sessions and main: one that sends no request, or keeps
 * its end open after its exit, is closed after the idle time; one past the
 * cap is told the agent is busy, and past twice the cap closed at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";
import { encode, Frame, FrameReader, PROTOCOL } from "./frames.js";
import { sessionsOf } from "./server.js";
import type { Session } from "./session.js";

/** Short, for the test: the agent's own is 10 s. */
const IDLE_MS = 300;

let dir: string;
let server: Server;
let sessions: Set<Session>;
const clients: Socket[] = [];

/** `idleTimeoutMs`: long where the test's own idle connections must stay. */
function listen(maxConnections: number, idleTimeoutMs = IDLE_MS): Promise<void> {
  server = createServer();
  sessions = sessionsOf(
    server,
    (argv, io) => main(argv, io, { keepPool: true }),
    () => undefined,
    {
      maxConnections,
      idleTimeoutMs,
    },
  );
  return new Promise((resolve) => server.listen(`${dir}/agent.sock`, resolve));
}

/**
 * A client's connection, and what it has received: its frames, and whether the agent ended the connection. Its end
 * stays open when the agent ends its own (Node's default would close it then), as a stuck or hostile client's does.
 */
function client() {
  const socket = connect({ path: `${dir}/agent.sock`, allowHalfOpen: true });
  clients.push(socket);
  const reader = new FrameReader();
  const got = { frames: [] as { kind: number; text: string }[], ended: false };
  socket.on("data", (chunk) => got.frames.push(...reader.push(chunk).map((f) => ({ kind: f.kind, text: f.payload.toString() }))));
  socket.on("end", () => {
    got.ended = true;
  });
  socket.on("error", () => {});
  const connected = new Promise<void>((resolve) => socket.once("connect", resolve));
  return { socket, got, connected };
}

const request = (argv: string[]) =>
  encode(Frame.request, JSON.stringify({ protocol: PROTOCOL, argv, cwd: "/", stdinIsTTY: false, stdoutIsTTY: false }));

const text = (got: ReturnType<typeof client>["got"], kind: number) =>
  got.frames
    .filter((f) => f.kind === kind)
    .map((f) => f.text)
    .join("");
const exitOf = (got: ReturnType<typeof client>["got"]) => got.frames.find((f) => f.kind === Frame.exit)?.text;

/** The server's open connections, as Node counts them. */
const open = () => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

beforeEach(() => {
  dir = mkdtempSync(`${tmpdir()}/neslink-agent-limits-`);
});

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("the agent's connections", () => {
  it("one that sends nothing is told so and closed after the idle time, and is gone from the agent", async () => {
    await listen(8);
    const idle = client();
    await idle.connected;
    // Half a request's header: still no request.
    const partial = client();
    await partial.connected;
    partial.socket.write(request(["--version"]).subarray(0, 3));
    await vi.waitFor(() => expect([idle.got.ended, partial.got.ended]).toEqual([true, true]), { timeout: 5_000 });
    for (const { got } of [idle, partial]) {
      expect(text(got, Frame.stderr)).toBe(
        "neslink: ERR_REQUEST_TIMEOUT: no request came within 0.3 s of connecting; the agent closed the connection\n",
      );
      expect(exitOf(got)).toBe('{"status":1}');
    }
    await vi.waitFor(async () => expect([sessions.size, await open()]).toEqual([0, 0]));
  });

  it("one that keeps its end open after its exit is closed after the idle time", async () => {
    await listen(8);
    const c = client();
    c.socket.write(request(["--version"]));
    await vi.waitFor(() => expect(exitOf(c.got)).toBe('{"status":0}'));
    expect(text(c.got, Frame.stdout)).toMatch(/^\d+\.\d+\.\d+/);
    // The client never ends its side; the agent ends its own, and then lets go of the connection.
    await vi.waitFor(() => expect(c.got.ended).toBe(true));
    expect(await open()).toBe(1);
    await vi.waitFor(async () => expect([sessions.size, await open()]).toEqual([0, 0]), { timeout: 5_000 });
  });

  it("one past the cap is told the agent is busy, and nothing is run; once one ends, a command is served", async () => {
    await listen(2, 60_000);
    const held = [client(), client()];
    await Promise.all(held.map((c) => c.connected));
    await vi.waitFor(() => expect(sessions.size).toBe(2));
    const refused = client();
    refused.socket.write(request(["--version"]));
    await vi.waitFor(() => expect(exitOf(refused.got)).toBe('{"status":1}'));
    expect(text(refused.got, Frame.stdout)).toBe("");
    expect(text(refused.got, Frame.stderr)).toBe(
      "neslink: ERR_TOO_MANY_CONNECTIONS: the agent serves 2 connections at once and has as many; nothing was run (try again once one ends)\n",
    );
    (held[0] as ReturnType<typeof client>).socket.destroy();
    await vi.waitFor(() => expect(sessions.size).toBeLessThan(2));
    const served = client();
    served.socket.write(request(["--version"]));
    await vi.waitFor(() => expect(exitOf(served.got)).toBe('{"status":0}'));
  });

  it("past twice the cap, a connection is closed as soon as it is accepted", async () => {
    await listen(1, 60_000);
    const held = [client(), client()];
    await Promise.all(held.map((c) => c.connected));
    await vi.waitFor(async () => expect(await open()).toBe(2));
    const extra = client();
    await vi.waitFor(() => expect(extra.got.ended).toBe(true));
    expect(extra.got.frames).toEqual([]);
    expect(await open()).toBe(2);
    expect(held.map((c) => c.got.ended)).toEqual([false, false]);
  });
});
