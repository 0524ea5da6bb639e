/**
 * Test helpers that run the built bin (dist/bin.js) as a child process, the
 * way users run it, and talk raw HTTP/1.1 to it over TCP on 127.0.0.1 or a
 * unix socket, so a test sees exactly what a client gets: a response, or a
 * reset.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";

export const BIN = new URL("../../dist/bin.js", import.meta.url).pathname;

export interface Running {
  child: ChildProcess;
  /** "http://127.0.0.1:PORT" or the socket path, as the bin printed it. */
  where: string;
  port: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Shell lines run before exec'ing node, e.g. "umask 000" or "ulimit -n 256". */
  shell?: string[];
  /** Node's own options, before the bin's path (`--import HOOK`). */
  node?: string[];
  /** Written to the bin's standard input, then ended (node's "pipe": a socket); else it is /dev/null. */
  input?: string;
}

/** A directory for a test's token file and sockets; `remove` deletes it. */
export function scratch(): { dir: string; tokenFile: string; token: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "neslink-http-"));
  const token = randomBytes(24).toString("hex");
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return { dir, tokenFile, token, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Spawns the bin and waits for its "listening on" line; rejects with its stderr if it exits first. */
export function spawnBin(args: string[], options: StartOptions = {}): { child: ChildProcess; stderr(): string; exited: Running["exited"] } {
  const prelude = [...(options.shell ?? []), 'exec "$0" "$@"'].join(" && ");
  const child = spawn("sh", ["-c", prelude, process.execPath, ...(options.node ?? []), BIN, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
  });
  child.stdin?.end(options.input);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exited };
}

/** Bins started and not yet ended: binTest's hooks end them after each test. */
const started = new Set<Running>();

/**
 * The hooks a file of bin tests needs: a unique prefix for what its tests
 * create and a scratch dir with a token; every bin it started is killed after
 * each test, and everything is removed after the file.
 */
export function binTest(tag: string): { prefix: string; files: ReturnType<typeof scratch> } {
  const prefix = uniquePrefix(tag);
  const files = scratch();
  afterEach(async () => {
    for (const running of started) await kill(running);
    started.clear();
  });
  afterAll(() => {
    files.remove();
    cleanup(prefix);
  });
  return { prefix, files };
}

export async function startBin(args: string[], options: StartOptions = {}): Promise<Running> {
  const run = spawnBin(args, options);
  const where = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 20 s:\n${run.stderr()}`)), 20_000);
    const look = () => {
      const m = /listening on (\S+)/.exec(run.stderr());
      if (!m) return;
      clearTimeout(timer);
      run.child.stderr?.off("data", look);
      resolve(m[1] as string);
    };
    run.child.stderr?.on("data", look);
    void run.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`bin exited (${code ?? signal}) before listening:\n${run.stderr()}`));
    });
  });
  const running = { ...run, where, port: Number(/:(\d+)$/.exec(where)?.[1] ?? 0) };
  started.add(running);
  return running;
}

/** Ends a bin still running (test cleanup): SIGKILL, then waits for it. */
export async function kill(running: { child: ChildProcess; exited: Running["exited"] } | undefined): Promise<void> {
  if (running === undefined || running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill("SIGKILL");
  await running.exited;
}

export interface RawResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** The socket error the client saw (e.g. ECONNRESET), if any. */
  error?: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

export type Target = { port: number } | { path: string };

/** A raw connection: write to it when the test wants, and get everything the server sent once it closes. */
export function open(target: Target): { socket: Socket; connected: Promise<void>; response: Promise<RawResponse> } {
  const socket = "path" in target ? connect(target.path) : connect(target.port, "127.0.0.1");
  const started = Date.now();
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const response = new Promise<RawResponse>((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on("close", () => resolve({ ...parse(Buffer.concat(chunks).toString("utf8")), error, closedAfterMs: Date.now() - started }));
  });
  // Tests look at `response`; the rejection is also there as `error`.
  connected.catch(() => {});
  return { socket, connected, response };
}

function parse(raw: string): Omit<RawResponse, "error" | "closedAfterMs"> {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return { headers: {}, body: raw };
  const [statusLine = "", ...lines] = raw.slice(0, end).split("\r\n");
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  return { status: Number(statusLine.split(" ")[1]), headers, body: raw.slice(end + 4) };
}

/** A request's bytes; `body` is sent as JSON. Connection: close, so the server ends the connection after answering. */
export function request(method: string, path: string, options: { token?: string; body?: unknown; keepAlive?: boolean } = {}): string {
  const body = options.body === undefined ? "" : JSON.stringify(options.body);
  const lines = [`${method} ${path} HTTP/1.1`, "Host: localhost", `Connection: ${options.keepAlive ? "keep-alive" : "close"}`];
  if (options.token !== undefined) lines.push(`Authorization: Bearer ${options.token}`);
  if (options.body !== undefined) lines.push("Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Sends one request on a new connection and resolves with the answer. */
export async function call(target: Target, bytes: string): Promise<RawResponse> {
  const conn = open(target);
  await conn.connected.catch(() => {});
  conn.socket.write(bytes);
  return conn.response;
}

/**
 * The server side of 127.0.0.1:port, from ss: connections waiting in the accept queue, established ones, and the bytes
 * clients sent that the server process has not read yet (read, a request's bytes have met its parser: a request whose
 * headers came is one the server knows of).
 */
export function serverSockets(port: number): { queued: number; established: number; unread: number } {
  const listening = execFileSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" }).trim();
  const established = execFileSync("ss", ["-Htn", "state", "established", `sport = :${port}`], { encoding: "utf8" }).trim();
  const rows = established === "" ? [] : established.split("\n");
  return {
    queued: Number(listening.split(/\s+/)[1] ?? 0),
    established: rows.length,
    // With a state filter ss leaves out the state column: Recv-Q comes first.
    unread: rows.reduce((sum, row) => sum + Number(row.trim().split(/\s+/)[0]), 0),
  };
}

/** Polls `check` every 20 ms until it is true; throws after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with `promise`'s value, or rejects naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
