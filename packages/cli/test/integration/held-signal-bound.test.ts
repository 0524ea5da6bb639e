/**
 * A signal that comes once a command's work is done is held until its output has gone out (late-signal.ts). Its
 * output a real pipe whose reader never reads, that was for ever: one SIGTERM (what `kill`, `timeout` or a supervisor
 * sends) left neslink running, and only SIGKILL ended it. Now the hold is bounded: a second signal ends it at once,
 * and past a short bound after the first it ends all the same, of that signal, saying so.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import koffi from "koffi";
import { afterAll, afterEach, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";
import { starLab } from "./star-lab.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-held-`);
const lab = uniquePrefix("zi2h");
// A plan of a lab not applied: changes nothing, and prints ~150 KB of JSON, more than a pipe holds (64 KiB).
const file = starLab(`${dir}/lab.yaml`, lab, 250, 64);
const children: ChildProcess[] = [];
const fds: number[] = [];

const libc = koffi.load("libc.so.6");
const ioctl = libc.func("int ioctl(int fd, unsigned long request, _Out_ int *count)");
const fcntl = libc.func("int fcntl(int fd, int cmd, int arg)");
const FIONREAD = 0x541b;
const F_GETPIPE_SZ = 1032;

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const fd of fds.splice(0)) closeSync(fd);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A FIFO open for reading and never read: the descriptor of its reader. */
function unread(fifo: string): number {
  execFileSync("mkfifo", [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(reader);
  return reader;
}

/**
 * A blocking writer of a FIFO never read, that holds all it can hold: any write to it waits for ever; and its reader.
 * Filled through a non-blocking writer of its own until the kernel takes not one byte more (a write of 64 KiB would not
 * fill a bigger one).
 */
function full(fifo: string): { writer: number; reader: number } {
  const reader = unread(fifo);
  const filler = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    for (const size of [4096, 1]) {
      try {
        for (;;) writeSync(filler, Buffer.alloc(size, "x"));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      }
    }
  } finally {
    closeSync(filler);
  }
  return { writer: openSync(fifo, constants.O_WRONLY), reader };
}

/** `neslink --json plan` writing to a FIFO that is open for reading and never read, once the FIFO is full. */
async function stuck(name: string) {
  const reader = unread(`${dir}/${name}`);
  const writer = openSync(`${dir}/${name}`, constants.O_WRONLY);
  const child = spawn(process.execPath, [BIN, "--json", "plan", file], { stdio: ["ignore", writer, "pipe"] });
  closeSync(writer);
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  // Full: as much waits in it as it holds, the rest of the plan waiting in neslink for a read that never comes.
  const capacity = fcntl(reader, F_GETPIPE_SZ, 0) as number;
  const queued = [0];
  const full = () => ioctl(reader, FIONREAD, queued) === 0 && queued[0] === capacity;
  while (!full()) await new Promise((r) => setTimeout(r, 10));
  return { child, ended, stderr: () => stderr };
}

it("one SIGTERM, its output stuck: held a short while, then it ends of it (143), saying so", async () => {
  const { child, ended, stderr } = await stuck("term");
  child.kill("SIGTERM");
  expect(await ended).toEqual({ code: null, signal: "SIGTERM" });
  expect(stderr()).toBe(
    "neslink: SIGTERM: plan had already finished; its result stands.\n" +
      "neslink: SIGTERM: plan's output was not taken within 2 s (its reader does not read); ended.\n",
  );
}, 30_000);

it("a second signal while held, its output stuck: ends it at once, of that signal (130)", async () => {
  const { child, ended, stderr } = await stuck("int");
  child.kill("SIGINT");
  while (!stderr().includes("had already finished")) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGINT");
  expect(await ended).toEqual({ code: null, signal: "SIGINT" });
  // Not the bound: the second signal.
  expect(stderr()).toBe("neslink: SIGINT: plan had already finished; its result stands.\n");
}, 30_000);

/** Whether a thread of `pid` waits in a write to a full pipe: the main thread's own, or one of libuv's pool's. */
function inPipeWrite(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).some((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/wchan`, "utf8").includes("pipe_write");
    } catch {
      return false; // The thread has ended.
    }
  });
}

/**
 * `neslink [--json] apply` of a file it refuses, its error (on stderr, or with --json on stdout) written to a full pipe
 * never read; once that write waits, one SIGTERM. Before, the write held the main thread: neither the bound nor a
 * second signal could end neslink; only SIGKILL did. Resolves to how it ended (or "still running" after 10 s) and what
 * the pipe holds.
 */
async function sigtermWhileErrorWaits(on: "stdout" | "stderr") {
  const bad = `${dir}/bad-${on}.yaml`;
  writeFileSync(bad, `name: ${lab}\nnodes:\n  a: { bridges: [bad/name] }\n`);
  const pipe = full(`${dir}/${on}`);
  const [args, stdio] =
    on === "stdout"
      ? [
          ["--json", "apply", bad],
          ["ignore", pipe.writer, "ignore"],
        ]
      : [
          ["apply", bad],
          ["ignore", "ignore", pipe.writer],
        ];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: stdio as ("ignore" | number)[] });
  closeSync(pipe.writer);
  children.push(child);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  // The command is over: its error waits to be written.
  while (child.pid === undefined || !inPipeWrite(child.pid)) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGTERM");
  const late = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 10_000).unref());
  return { ended: await Promise.race([ended, late]), held: readFileSync(pipe.reader).toString() };
}

it("one SIGTERM once its error waits for a stderr that is a full pipe never read: ends of it all the same, the words lost", async () => {
  const { ended, held } = await sigtermWhileErrorWaits("stderr");
  expect(ended).toEqual({ code: null, signal: "SIGTERM" });
  // What the pipe holds is what filled it: nothing neslink said got in.
  expect(held).toMatch(/^x+$/);
}, 30_000);

it("one SIGTERM once its --json error waits for a stdout that is a full pipe never read: ends of it all the same", async () => {
  expect((await sigtermWhileErrorWaits("stdout")).ended).toEqual({ code: null, signal: "SIGTERM" });
}, 30_000);
