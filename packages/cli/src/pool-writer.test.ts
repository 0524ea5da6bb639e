import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { connectUnix, shutdownSocket } from "@neslink/core/unix-client";
import { afterAll, describe, expect, it } from "vitest";
import { type PoolWriter, poolWriter } from "./pool-writer.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-pool-writer-`);
const opened: number[] = [];
afterAll(() => {
  for (const fd of opened) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

let fifos = 0;
/** A pipe (a FIFO): its read end non-blocking (read as the test goes), its write end blocking unless told. */
function pipe(nonBlocking = false) {
  const path = `${dir}/fifo-${fifos++}`;
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | (nonBlocking ? constants.O_NONBLOCK : 0));
  opened.push(reader, writer);
  const closeReader = () => {
    opened.splice(opened.indexOf(reader), 1);
    closeSync(reader);
  };
  return { reader, writer, closeReader };
}

/** What the pipe holds now, `max` bytes at most (EAGAIN: nothing now). */
function readNow(fd: number, max = 1 << 16): Buffer {
  const buffer = Buffer.alloc(max);
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, max, null));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EAGAIN") return Buffer.alloc(0);
    throw err;
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads `total` bytes from `reader` a little at a time, the main thread free between reads, while `write` writes
 * them; `halfway`: whether `write` was still busy (idle() not yet resolved) once half had been read.
 */
async function readSlowly(reader: number, total: number, write: PoolWriter) {
  let idle = false;
  const idled = write.idle().then(() => {
    idle = true;
  });
  const read: Buffer[] = [];
  let received = 0;
  let halfway: boolean | undefined;
  while (received < total) {
    const chunk = readNow(reader, 4096);
    read.push(chunk);
    received += chunk.length;
    if (halfway === undefined && received >= total / 2) halfway = write.busy() && !idle;
    await turn();
  }
  await idled;
  return { read: Buffer.concat(read), busyHalfway: halfway };
}

/** Records what `failed` was given. */
function failures() {
  const got: { code: string | undefined; rest: Buffer[] }[] = [];
  return {
    got,
    failed: (err: NodeJS.ErrnoException, rest: Uint8Array[]) => got.push({ code: err.code, rest: rest.map((r) => Buffer.from(r)) }),
  };
}

describe("poolWriter", () => {
  it("a blocking pipe read slowly: everything, in order; busy until the last byte is taken, the main thread free meanwhile", async () => {
    const { reader, writer } = pipe();
    const { got: failed, failed: onFailed } = failures();
    const write = poolWriter(writer, onFailed);
    const pieces = [randomBytes(3 << 20), randomBytes(10), randomBytes(1 << 20)];
    const total = pieces.reduce((n, p) => n + p.length, 0);
    for (const piece of pieces) write(piece);
    // Far more than a pipe holds is unwritten until the reader has taken half: the writer cannot be idle before.
    const { read, busyHalfway } = await readSlowly(reader, total, write);
    expect(busyHalfway).toBe(true);
    expect(write.busy()).toBe(false);
    expect(read.equals(Buffer.concat(pieces))).toBe(true);
    expect(failed).toEqual([]);
  });

  it("a full non-blocking pipe (EAGAIN) after a partial write: stopped; `failed` gets the unwritten part of the piece, then the rest", async () => {
    const { reader, writer } = pipe(true);
    const { got: failed, failed: onFailed } = failures();
    const write = poolWriter(writer, onFailed);
    const big = randomBytes(1 << 20);
    const small = randomBytes(10);
    write(big);
    write(small);
    expect(write.busy()).toBe(true);
    await write.idle();
    expect(write.busy()).toBe(false);
    expect(failed.map((f) => f.code)).toEqual(["EAGAIN"]);
    const [rest] = failed.map((f) => f.rest);
    const inPipe: Buffer[] = [];
    for (let chunk = readNow(reader); chunk.length > 0; chunk = readNow(reader)) inPipe.push(chunk);
    const written = Buffer.concat(inPipe);
    // The pipe took part of the big piece (a partial write), and the rest of it was not written again from its start.
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(big.length);
    expect(rest?.length).toBe(2);
    expect(Buffer.concat([written, ...(rest ?? [])]).equals(Buffer.concat([big, small]))).toBe(true);
    // Stopped: nothing more is written, nor anyone told again.
    write(randomBytes(10));
    expect(write.busy()).toBe(false);
    await turn();
    expect(readNow(reader).length).toBe(0);
    expect(failed).toHaveLength(1);
  });

  it("the reader gone (EPIPE): stopped, `failed` told once with all that waited, later writes dropped", async () => {
    const { writer, closeReader } = pipe();
    closeReader();
    const { got: failed, failed: onFailed } = failures();
    const write = poolWriter(writer, onFailed);
    write(Buffer.from("one"));
    write(Buffer.from("two"));
    await write.idle();
    expect(failed).toEqual([{ code: "EPIPE", rest: [Buffer.from("one"), Buffer.from("two")] }]);
    write(Buffer.from("three"));
    expect(write.busy()).toBe(false);
    await write.idle();
    expect(failed).toHaveLength(1);
  });

  it("stop() while a write is held: what waits is dropped; idle only once the held write ends", async () => {
    const { reader, writer } = pipe();
    const write = poolWriter(writer);
    const held = randomBytes(4 << 20);
    write(held);
    write(Buffer.from("dropped"));
    write.stop();
    write(Buffer.from("dropped too"));
    const { read, busyHalfway } = await readSlowly(reader, held.length, write);
    expect(busyHalfway).toBe(true);
    expect(read.equals(held)).toBe(true);
    expect(readNow(reader).length).toBe(0);
  });

  it("a blocking socket whose peer reads nothing: a shutdown ends the held write, and the writer is idle (the agent's client closing)", async () => {
    const path = `${dir}/peer.sock`;
    // The peer never reads: the client's writes fill the socket's buffers and the last one is held.
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const peerSockets: Socket[] = [];
    server.on("connection", (socket) => peerSockets.push(socket));
    try {
      const connection = connectUnix(path);
      if (!("fd" in connection)) throw new Error(`connect: ${connection.errno}`);
      const { fd } = connection;
      opened.push(fd);
      const { got: failed, failed: onFailed } = failures();
      const write = poolWriter(fd, onFailed);
      write(randomBytes(16 << 20));
      write(Buffer.from("after"));
      expect(write.busy()).toBe(true);
      write.stop();
      expect(shutdownSocket(fd)).toBe(true);
      await write.idle();
      expect(write.busy()).toBe(false);
      // The held write may have ended short or failed (EPIPE): either way nothing that waited is handed on.
      expect(failed.every((f) => f.rest.length === 0)).toBe(true);
    } finally {
      for (const socket of peerSockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
