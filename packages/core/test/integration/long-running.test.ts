/**
 * A program that runs all day (a test rig, an emulator, a server) repeats the
 * same work for hours: nothing of it may build up. Each test repeats one kind
 * of work a few dozen rounds and bounds what is left afterwards exactly.
 */
import { getEventListeners } from "node:events";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, na, ns, nsDo, nsDoOn, Pool, spawn, watch } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { runs } from "../processes.js";
import { cleanup, FAIL_AFTER_MS, gate, ip, socketNamespaceInodes, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("lr");

afterAll(() => cleanup(prefix));

describe("a namespace deleted while a task there waits for its program", () => {
  it("is let go by the worker once the task ends, not kept alive by a socket the task reopened", async () => {
    // One worker: the task and the delete meet on it (the task waits on its program, the delete runs meanwhile).
    const pool = new Pool({ size: 1 });
    const deleted: number[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const name = `${prefix}w${round}`;
        await nsDoOn(pool, ns.createNamed(name));
        deleted.push(statSync(`/run/netns/${name}`).ino);
        // The links after the program run once it has ended, after the delete: they open a socket in the namespace again.
        // The program waits for the delete (a 0.1 s sleep, the delete sent 20 ms in, ended first on a loaded machine).
        const door = `${tmpdir()}/${name}-gate`;
        const task = nsDoOn(pool, ns.name(name), na.links(), na.exec(gate.argv(door)), na.links());
        try {
          expect(await until(() => gate.waiting(name, door) === 1, 30_000)).toBe(true);
          await nsDoOn(pool, ns.now(), na.deleteNamed(name));
        } finally {
          gate.open(door);
        }
        const { results } = await task;
        rmSync(door);
        expect(results).toHaveLength(3);
      }
      // One round trip: the worker is past every task's end.
      await nsDoOn(pool, ns.now(), na.links());
      const kept = socketNamespaceInodes();
      expect(deleted.filter((ino) => kept.includes(ino))).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe("a pool closed while work is in flight", () => {
  it("finishes what was sent before close, in the same tick too, then refuses new work", async () => {
    const name = `${prefix}c`;
    ip("netns", "add", name);
    const pool = new Pool({ size: 2 });
    const sent = Array.from({ length: 6 }, (_, i) => nsDoOn(pool, ns.name(name), i % 2 ? na.links() : na.exec(["true"])));
    await pool.close();
    expect((await Promise.allSettled(sent)).map((o) => o.status)).toEqual(Array(6).fill("fulfilled"));
    await expect(nsDoOn(pool, ns.name(name), na.links())).rejects.toMatchObject({ code: "ERR_POOL" });
  });

  it("closeDefaultPool, then new work, round after round: nothing sent is lost and no thread is left", async () => {
    const name = `${prefix}d`;
    ip("netns", "add", name);
    const threads = () => readdirSync("/proc/self/task").length;
    const before = threads();
    for (let round = 0; round < 10; round++) {
      const sent = [nsDo(ns.name(name), na.links()), nsDo(ns.name(name), na.exec(["true"])), nsDo(ns.create(), na.links())];
      await closeDefaultPool();
      const outcomes = await Promise.allSettled(sent);
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const created = outcomes[2]?.status === "fulfilled" ? outcomes[2].value.created : undefined;
      created?.close();
    }
    expect(threads()).toBe(before);
  });
});

/** This process's children: those that have ended and that nobody collected (state Z in /proc), and those running `argv`. */
function children(argv: readonly string[]): { zombies: number[]; running: number[] } {
  const found = { zombies: [] as number[], running: [] as number[] };
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command (which may hold spaces): state, then the parent's pid.
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(ppid) !== process.pid) continue;
    // Through setpriv or not, the program's path (as found in PATH) and its arguments end its command line.
    if (state === "Z") found.zombies.push(Number(pid));
    else if (cmdline.endsWith(`/${argv.join("\0")}\0`)) found.running.push(Number(pid));
  }
  return found;
}

describe("a worker ended while programs it started run", () => {
  const PROGRAM = ["sleep", "30"];

  it("leaves no zombie: its programs are collected once they die with it (a timeout, close's grace)", async () => {
    const name = `${prefix}z`;
    ip("netns", "add", name);
    for (let round = 0; round < 10; round++) {
      const pool = new Pool({ size: 1 });
      // nsDo's timeoutMs ends the worker, and with it the program.
      await expect(nsDoOn(pool, ns.name(name), na.exec(PROGRAM), { timeoutMs: 100 })).rejects.toMatchObject({
        code: "ERR_TIMEOUT",
      });
      // So does close, past its grace.
      const running = nsDoOn(pool, ns.name(name), na.exec(PROGRAM));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await pool.close({ graceMs: 10 });
      await expect(running).rejects.toMatchObject({ code: "ERR_POOL" });
      // Ended as it starts one: Node's spawn runs JavaScript after the fork, before the pid is known to be recorded.
      const racing = new Pool({ size: 1 });
      await nsDoOn(racing, ns.name(name), na.links());
      const starting = nsDoOn(racing, ns.name(name), na.exec(PROGRAM)).catch(() => undefined);
      await racing.close({ graceMs: round });
      await starting;
    }
    // Each program dies with its worker: the pool ends it (by pidfd) as it handles the worker's end, and
    // PR_SET_PDEATHSIG would a moment later, had setpriv set it by then. Then each is collected within a sweep or two.
    // Looked at until none runs: one that dies after a first look found no zombie would be one (not yet collected) at
    // the next.
    const deadline = Date.now() + FAIL_AFTER_MS;
    let left = children(PROGRAM);
    while (left.zombies.length + left.running.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = children(PROGRAM);
    }
    // Not left running past a failure.
    for (const pid of left.running) process.kill(pid, "SIGKILL");
    expect(left).toEqual({ zombies: [], running: [] });
  });
});

describe("one AbortSignal for a whole program", () => {
  it("keeps no listener of the watches that ended, and still ends the one open when it aborts", async () => {
    const name = `${prefix}g`;
    ip("netns", "add", name);
    const controller = new AbortController();
    const { signal } = controller;
    for (let round = 0; round < 30; round++) {
      for await (const e of watch(ns.name(name), { groups: ["link"], listExisting: true, signal })) if (e.type === "synced") break;
    }
    // A listener per ended watch kept each watch (its queue, its thread's handle) reachable for as long as the signal lives.
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    const types: string[] = [];
    for await (const e of watch(ns.name(name), { groups: ["link"], listExisting: true, signal })) {
      types.push(e.type);
      if (e.type === "synced") controller.abort();
    }
    expect(types).toEqual(["link", "synced"]);
  });
});

describe("spawn of a program that leaves a process running in the background", () => {
  const WAYS = [
    ["from the calling thread (nsenter)", undefined],
    ["from a worker", "pool"],
  ] as const;

  /** Runs `body` with the namespace and, for a worker, a pool of one (closed afterwards). */
  async function inNamespace(way: "pool" | undefined, body: (name: string, pool?: Pool) => Promise<void>): Promise<void> {
    const name = `${prefix}s`;
    if (!readdirSync("/run/netns").includes(name)) ip("netns", "add", name);
    const pool = way === "pool" ? new Pool({ size: 1 }) : undefined;
    try {
      await body(name, pool);
    } finally {
      await pool?.close();
    }
  }

  it.each(WAYS)("settles exited once the program has ended, %s, though that process holds its output", (_way, way) =>
    inNamespace(way, async (name, pool) => {
      // A rig that awaited exited here waited as long as the background process lived (forever, for a daemon).
      const p = await spawn(ns.name(name), ["sh", "-c", "sleep 60 & echo $!"], {}, pool);
      let out = "";
      p.stdout.on("data", (chunk: Buffer) => (out += chunk));
      const ended = new Promise((resolve) => p.stdout.once("end", resolve));
      expect(await p.exited).toEqual({ status: 0, signal: null });
      // Settled while the background process still holds the output.
      while (!out.includes("\n")) await new Promise((resolve) => setTimeout(resolve, 10));
      const daemon = Number(out.trim());
      expect(existsSync(`/proc/${daemon}`)).toBe(true);
      process.kill(daemon);
      await ended;
    }),
  );

  it.each(WAYS)("still gives a reader that is behind all the program wrote, %s", (_way, way) =>
    inNamespace(way, async (name, pool) => {
      // Written into the pipe (64 KiB) and the program gone, while nobody reads: the rest must wait for the reader, not be cut.
      const p = await spawn(ns.name(name), ["sh", "-c", "sleep 3 & head -c 60000 /dev/zero"], {}, pool);
      // Gone, not given 600 ms to go (not always enough on a loaded machine). Not awaited through exited, which waits
      // for a reader that is behind.
      expect(await until(() => !runs(p.pid), 30_000)).toBe(true);
      let size = 0;
      p.stdout.on("data", (chunk: Buffer) => (size += chunk.length));
      await new Promise((resolve) => p.stdout.once("end", resolve));
      await p.exited;
      expect(size).toBe(60000);
    }),
  );
});
