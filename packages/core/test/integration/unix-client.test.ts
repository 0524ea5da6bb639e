/**
 * @neslink/core/unix-client against real sockets and a real pty: bytes both
 * ways through node:fs on the descriptor connectUnix gives; each failure an
 * errno name, with no descriptor left open; terminal facts as isatty(3) and
 * TIOCGWINSZ give them. The built CommonJS entry is checked to load no Node
 * stream module (what it is for).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, read, readdirSync, readFileSync, rmSync, write, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectUnix, isTerminal, shutdownSocket, terminalColumns } from "../../src/unix-client.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-unix-client-`);
const path = `${dir}/echo.sock`;
let server: Server;
const openFds = () => readdirSync("/proc/self/fd").length;
/** The built CommonJS entry, as the CLI's agent client loads it. */
const BUILT = JSON.stringify(new URL("../../dist/cjs/unix-client.cjs", import.meta.url).pathname);
/** write(2)'s number on this machine, as /proc/PID/task/TID/syscall shows it. */
const WRITE_SYSCALL = process.arch === "arm64" ? 64 : 1;
/** Whether one of this process's threads (libuv's pool) is blocked writing to `fd`. */
const blockedWriting = (fd: number) =>
  readdirSync("/proc/self/task").some((tid) => {
    const [call, first] = readFileSync(`/proc/self/task/${tid}/syscall`, "utf8").split(" ");
    return call === String(WRITE_SYSCALL) && first === `0x${fd.toString(16)}`;
  });

async function until(what: string, probe: () => boolean): Promise<void> {
  for (const end = Date.now() + 20_000; !probe(); await new Promise((resolve) => setTimeout(resolve, 20)))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const printFacts = (fd: number) =>
  `const u = require(${BUILT}); console.log(JSON.stringify([u.isTerminal(${fd}), u.terminalColumns(${fd}) ?? null]))`;

beforeAll(async () => {
  server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("connectUnix", () => {
  it("connects; the descriptor carries bytes both ways with node:fs", async () => {
    const connection = connectUnix(path);
    if (!("fd" in connection)) throw new Error(`connect failed: ${connection.errno}`);
    try {
      expect(writeSync(connection.fd, "ping\n")).toBe(5);
      const buffer = Buffer.alloc(16);
      // On libuv's pool, as the agent's client reads: the echo comes from this thread's event loop, which a blocking read here would stop.
      const n = await new Promise<number>((resolve, reject) =>
        read(connection.fd, buffer, 0, buffer.length, null, (err, bytes) => (err ? reject(err) : resolve(bytes))),
      );
      expect(buffer.subarray(0, n).toString()).toBe("ping\n");
    } finally {
      closeSync(connection.fd);
    }
  });

  it("says which call failed and its errno, and leaves no descriptor open", () => {
    const stale = `${dir}/stale.sock`;
    // A socket file nothing listens on any more (its process went without removing it).
    const bound = spawnSync("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", stale]);
    expect(bound.status).toBe(0);
    writeFileSync(`${dir}/file`, "");
    const before = openFds();
    expect(connectUnix(`${dir}/missing.sock`)).toEqual({ syscall: "connect", errno: "ENOENT" });
    expect(connectUnix(stale)).toEqual({ syscall: "connect", errno: "ECONNREFUSED" });
    expect(connectUnix(`${dir}/file`)).toEqual({ syscall: "connect", errno: "ECONNREFUSED" });
    expect(connectUnix(dir)).toEqual({ syscall: "connect", errno: "ECONNREFUSED" });
    expect(openFds()).toBe(before);
  });

  it("refuses a path sockaddr_un cannot hold, or one a NUL byte would cut short", () => {
    // 107 bytes and its NUL fill sun_path: one more is too long, as connect(2) itself would say (ENAMETOOLONG).
    const longest = `${dir}/${"x".repeat(107 - dir.length - 1)}`;
    expect(Buffer.byteLength(longest)).toBe(107);
    expect(connectUnix(longest)).toEqual({ syscall: "connect", errno: "ENOENT" });
    expect(connectUnix(`${longest}y`)).toEqual({ syscall: "connect", errno: "ENAMETOOLONG" });
    expect(connectUnix(`${path}\0ignored`)).toEqual({ syscall: "connect", errno: "EINVAL" });
  });
});

describe("shutdownSocket", () => {
  it("wakes a write blocked on the pool by a peer that never reads: it returns what went", async () => {
    const silent = `${dir}/silent.sock`;
    // Accepted, never read: the kernel's buffers fill and the write blocks in its pool thread.
    const accepted: Socket[] = [];
    const deaf = createServer({ pauseOnConnect: true }, (socket) => accepted.push(socket));
    await new Promise<void>((resolve) => deaf.listen(silent, resolve));
    const connection = connectUnix(silent);
    if (!("fd" in connection)) throw new Error(`connect failed: ${connection.errno}`);
    try {
      const big = Buffer.alloc(64 << 20);
      let result: { err: NodeJS.ErrnoException | null; n: number } | undefined;
      const done = new Promise<void>((resolve) =>
        write(connection.fd, big, 0, big.length, null, (err, n) => {
          result = { err, n };
          resolve();
        }),
      );
      await until("the write to block", () => blockedWriting(connection.fd));
      expect(result).toBeUndefined();
      expect(shutdownSocket(connection.fd)).toBe(true);
      // Nothing else wakes the blocked write: without the shutdown this waits until the test times out.
      await done;
      expect(result?.err).toBeNull();
      expect(result?.n).toBeGreaterThan(0);
      expect(result?.n).toBeLessThan(big.length);
    } finally {
      closeSync(connection.fd);
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => deaf.close(resolve));
    }
  });

  it("is false for a descriptor that is no socket", () => {
    const file = openSync(`${dir}/file`, "r");
    try {
      expect(shutdownSocket(file)).toBe(false);
    } finally {
      closeSync(file);
    }
    expect(shutdownSocket(-1)).toBe(false);
  });
});

describe("terminal facts", () => {
  it("a pipe or a file is no terminal and has no width", () => {
    const piped = spawnSync(process.execPath, ["-e", printFacts(0)], { encoding: "utf8", input: "" });
    expect(piped.stdout.trim()).toBe("[false,null]");
    expect(isTerminal(-1)).toBe(false);
    expect(terminalColumns(-1)).toBeUndefined();
  });

  it("a pty is one, as wide as its window says", () => {
    // python's pty gives the child a terminal of its own, sized 24x77 before node starts.
    const script = [
      "import fcntl, os, pty, struct, sys, termios",
      "pid, fd = pty.fork()",
      "if pid == 0:",
      "    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 77, 0, 0))",
      "    os.execv(sys.argv[1], sys.argv[1:])",
      "out = b''",
      "while True:",
      "    try: chunk = os.read(fd, 1024)",
      "    except OSError: break",
      "    if not chunk: break",
      "    out += chunk",
      "os.waitpid(pid, 0)",
      "sys.stdout.write(out.decode())",
    ].join("\n");
    const r = spawnSync("python3", ["-c", script, process.execPath, "-e", printFacts(1)], { encoding: "utf8", cwd: dir, timeout: 20_000 });
    expect(r.stdout.trim()).toBe("[true,77]");
  });
});

it("the built entry loads none of Node's stream or net modules", () => {
  const probe = [
    "const before = new Set(process.moduleLoadList);",
    `require(${BUILT});`,
    "console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
  expect(r.status).toBe(0);
  const loaded = JSON.parse(r.stdout) as string[];
  expect(loaded.filter((m) => /\b(net|tty|stream)\b/.test(m))).toEqual([]);
});

it("the built entry works beside core's other entries in one process (koffi's native module loaded by both)", () => {
  const list = JSON.stringify(new URL("../../dist/cjs/list.cjs", import.meta.url).pathname);
  const probe = [
    `const u = require(${BUILT});`,
    `const { listNamed } = require(${list});`,
    "listNamed();",
    `console.log(JSON.stringify([u.connectUnix(${JSON.stringify(`${dir}/missing.sock`)}), u.isTerminal(0)]));`,
  ].join("\n");
  const r = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8", input: "" });
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual([{ syscall: "connect", errno: "ENOENT" }, false]);
});
