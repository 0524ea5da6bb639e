import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fifoBytes } from "./fifo.js";

const dir = mkdtempSync(join(tmpdir(), "neslink-fifo-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function fifo(): string {
  const path = join(dir, `f${count++}`);
  execFileSync("mkfifo", [path]);
  return path;
}

/** A writer that opens the FIFO only once the reader has it open (an open for writing waits for a reader), writes, closes. */
async function writeLater(path: string, text: string): Promise<void> {
  const writer = await open(path, "w");
  await writer.write(text);
  await writer.close();
}

/** The inotify watches this process holds (each inotify descriptor's fdinfo lists one "inotify wd:" line a watch). */
function inotifyWatches(): number {
  return readdirSync("/proc/self/fdinfo")
    .map((fd) => {
      try {
        return readFileSync(`/proc/self/fdinfo/${fd}`, "utf8")
          .split("\n")
          .filter((l) => l.startsWith("inotify wd:")).length;
      } catch {
        return 0;
      }
    })
    .reduce((a, b) => a + b, 0);
}

describe("fifoBytes", () => {
  // The watch on the FIFO's directory goes with the wait, however it ends: through the agent, one a client's command.
  // One closed from its own event is let go on a later turn of the loop.
  afterEach(async () => {
    for (let i = 0; i < 400 && inotifyWatches() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(inotifyWatches()).toBe(0);
  });

  it("waits for a writer that comes after it opened, and reads to the writer's close; the event loop runs meanwhile", async () => {
    const path = fifo();
    let ticks = 0;
    const ticking = setInterval(() => ticks++, 5);
    const read = fifoBytes(path, "lab.yaml", 1000, { waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    await writeLater(path, "name: x\nnodes: {}\n");
    const bytes = await read;
    clearInterval(ticking);
    expect(bytes?.toString()).toBe("name: x\nnodes: {}\n");
    // Not a blocked thread: timers ran while it waited.
    expect(ticks).toBeGreaterThan(5);
  });

  it("no writer within the wait: refused, naming the file as given", async () => {
    await expect(fifoBytes(fifo(), "lab.yaml", 1000, { waitMs: 200 })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "FILE",
      message: "FILE: lab.yaml is a pipe, and nothing was written to it within 0.2 s",
    });
  });

  it("a writer that closes without writing: nothing, which load says is empty, as of an empty file or stdin", async () => {
    const empty = fifo();
    const read = fifoBytes(empty, "e.yaml", 1000, { waitMs: 5000 });
    await writeLater(empty, "");
    expect((await read)?.length).toBe(0);
  });

  it("a writer that writes more than the bound: refused", async () => {
    const big = fifo();
    const tooBig = expect(fifoBytes(big, "b.yaml", 10, { waitMs: 5000 })).rejects.toThrow("FILE: b.yaml is larger than 10 bytes");
    // Its reader gone at the bound, the writer's rest meets EPIPE.
    await writeLater(big, "x".repeat(100)).catch(() => {});
    await tooBig;
  });

  it("its caller gone (aborted): the FIFO is closed at once, and a writer that comes later finds no reader", async () => {
    const path = fifo();
    const controller = new AbortController();
    const read = expect(fifoBytes(path, "lab.yaml", 1000, { waitMs: 5000, signal: controller.signal })).rejects.toMatchObject({
      code: "ERR_ABORTED",
    });
    controller.abort();
    await read;
    // Non-blocking: with no reader, ENXIO (a reader still holding it would take the bytes).
    expect(() => closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK))).toThrow(expect.objectContaining({ code: "ENXIO" }));
  });

  it("its caller gone before it starts: refused, nothing opened", async () => {
    const path = fifo();
    const controller = new AbortController();
    controller.abort();
    const fds = readdirSync("/proc/self/fd").length;
    await expect(fifoBytes(path, "lab.yaml", 1000, { waitMs: 5000, signal: controller.signal })).rejects.toMatchObject({
      code: "ERR_ABORTED",
    });
    expect(readdirSync("/proc/self/fd").length).toBe(fds);
  });

  it("what is no FIFO is left to core's load (undefined)", async () => {
    const file = join(dir, "plain.yaml");
    writeFileSync(file, "name: x\n");
    expect(await fifoBytes(file, "plain.yaml", 1000, { waitMs: 200 })).toBeUndefined();
  });

  it.each([
    [
      "replaced by a regular file",
      (path: string) => {
        writeFileSync(`${path}.new`, "name: x\nnodes: {}\n");
        renameSync(`${path}.new`, path);
      },
    ],
    ["removed", (path: string) => rmSync(path)],
  ])("its name %s before anything was written: said so at once, not when the wait runs out", async (what, change) => {
    const path = fifo();
    const fds = readdirSync("/proc/self/fd").length;
    const read = fifoBytes(path, "lab.yaml", 1000, { waitMs: 60_000 });
    // Once it holds the FIFO (its descriptor open): what a user does while neslink waits.
    while (!readdirSync("/proc/self/fd").some((fd) => readlinkSyncSafe(`/proc/self/fd/${fd}`) === path))
      await new Promise((r) => setImmediate(r));
    change(path);
    await expect(read).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      message: `FILE: lab.yaml was ${what} while neslink waited for the FIFO's writer, before anything was written to it: run the command again`,
    });
    // The FIFO and the watch on its directory let go.
    expect(readdirSync("/proc/self/fd").length).toBe(fds);
  });
});

function readlinkSyncSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
