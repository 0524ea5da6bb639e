/**
 * The bin on a unix socket (issue 13): the socket is born mode 0600 even
 * under umask 000 (never a moment world-connectable), the process umask is
 * restored, a socket left by kill -9 is replaced, and a live server or a file
 * that is not a socket at the path is refused and left untouched.
 */
import { spawn } from "node:child_process";
import { type FSWatcher, lstatSync, readdirSync, readFileSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, kill, type Running, request, scratch, spawnBin, startBin, within } from "./bin-process.js";

const files = scratch();
const started: Running[] = [];
let watcher: FSWatcher | undefined;

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  for (const bin of started.splice(0)) await kill(bin);
});

afterAll(() => files.remove());

async function serve(socket: string, shell: string[] = []): Promise<Running> {
  const bin = await startBin(["--token-file", files.tokenFile, "--socket", socket], { shell });
  started.push(bin);
  return bin;
}

const modeOf = (path: string) => lstatSync(path).mode & 0o777;

/** A separate process polling lstat as fast as it can until `path` exists; resolves with the mode it first saw. */
function firstMode(path: string): { ready: Promise<void>; mode: Promise<number> } {
  const poller = spawn(
    process.execPath,
    [
      "-e",
      `const fs = require("node:fs"); process.stdout.write("ready\\n");
       for (;;) { try { process.stdout.write(String(fs.lstatSync(process.argv[1]).mode & 0o777)); break; } catch {} }`,
      path,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  const ready = new Promise<void>((resolve) =>
    poller.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith("ready\n")) resolve();
    }),
  );
  const mode = new Promise<number>((resolve) => poller.once("exit", () => resolve(Number(out.slice("ready\n".length)))));
  return { ready, mode };
}

describe("neslink-http on a unix socket", () => {
  it("creates the socket mode 0600 under umask 000, never changing it afterwards, and restores the umask", async () => {
    const socket = join(files.dir, "born.sock");
    // inotify: a chmod after bind(2) would show as a "change" of the socket.
    const events: { type: string; mode: number | undefined }[] = [];
    watcher = watch(files.dir, (type, name) => {
      if (name !== "born.sock") return;
      let mode: number | undefined;
      try {
        mode = modeOf(socket);
      } catch {
        mode = undefined;
      }
      events.push({ type, mode });
    });
    const poll = firstMode(socket);
    await poll.ready;

    const bin = await serve(socket, ["umask 000"]);
    expect(await within(poll.mode, 5_000, "the poller")).toBe(0o600);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === "change")).toEqual([]);
    expect(events.every((e) => e.mode === 0o600 || e.mode === undefined)).toBe(true);
    expect(modeOf(socket)).toBe(0o600);
    // umask is process-wide: what the bin's programs and files get must be the caller's again.
    expect(readFileSync(`/proc/${bin.child.pid}/status`, "utf8")).toMatch(/^Umask:\s+0000$/m);
    expect((await call({ path: socket }, request("GET", "/v1/health"))).status).toBe(200);

    bin.child.kill("SIGTERM");
    expect(await within(bin.exited, 10_000, "exit")).toEqual({ code: 0, signal: null });
    expect(() => lstatSync(socket)).toThrow(/ENOENT/);
  });

  it("replaces the socket a kill -9 left behind", async () => {
    const socket = join(files.dir, "stale.sock");
    const first = await serve(socket);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(lstatSync(socket).isSocket()).toBe(true);

    await serve(socket);
    const res = await call({ path: socket }, request("GET", "/v1/health"));
    expect(res.status).toBe(200);
    expect(modeOf(socket)).toBe(0o600);
  });

  it("refuses a socket a live server is listening on, which keeps serving", async () => {
    const socket = join(files.dir, "live.sock");
    await serve(socket);
    const second = spawnBin(["--token-file", files.tokenFile, "--socket", socket]);
    expect(await within(second.exited, 10_000, "the second bin")).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toMatch(/EADDRINUSE: .*live\.sock: a server is already listening on this socket/);
    expect((await call({ path: socket }, request("GET", "/v1/health"))).status).toBe(200);
  });

  it("refuses a path holding a file that is not a socket, and leaves it untouched", async () => {
    const file = join(files.dir, "notes.txt");
    writeFileSync(file, "keep me");
    const link = join(files.dir, "link.sock");
    symlinkSync(file, link);
    for (const path of [file, link]) {
      const bin = spawnBin(["--token-file", files.tokenFile, "--socket", path]);
      expect(await within(bin.exited, 10_000, "the bin"), path).toEqual({ code: 2, signal: null });
      expect(bin.stderr()).toMatch(/ERR_INVALID_ARGUMENT: socket: .* exists and is not a socket; refusing to replace it/);
    }
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses a path longer than sun_path holds, up front and creating nothing; the longest that fits serves", async () => {
    /** A path in the scratch dir of `bytes` bytes. */
    const ofLength = (bytes: number) => join(files.dir, "e".repeat(bytes - files.dir.length - 1));
    const before = readdirSync(files.dir).sort();
    const long = ofLength(110);
    const bin = spawnBin(["--token-file", files.tokenFile, "--socket", long]);
    started.push({ ...bin, where: long, port: 0 });
    expect(await within(bin.exited, 10_000, "the bin to refuse"), bin.stderr()).toEqual({ code: 2, signal: null });
    expect(bin.stderr()).toContain(`ERR_INVALID_ARGUMENT: --socket: ${long} is 110 bytes long; a unix socket path holds at most 107`);
    // Before, bind made a socket of the first 107 bytes' name, left behind to block the next start.
    expect(readdirSync(files.dir).sort()).toEqual(before);

    const fits = ofLength(107);
    await serve(fits);
    expect((await call({ path: fits }, request("GET", "/v1/health"))).status).toBe(200);
  });
});
