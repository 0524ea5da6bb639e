import { spawn as spawnChild, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { ActionError, closeDefaultPool, defaultPool, ExecLimitError, exec, lp, na, ns, nsDo, SystemCallError, spawn } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, fdCount, gate, heldNamespaceInodes, inodeOf, ip, linksIn, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("ne");
const name = `${prefix}a`;
const nsFile = `/run/netns/${name}`;
const CORE_DIR = new URL("..", import.meta.url).pathname;

beforeAll(() => ip("netns", "add", name));
afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
});

/** The network namespace inode a running process is in, as the kernel reports it. */
function netnsInodeOfPid(pid: number): number {
  return Number(/^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
}

/** Whether a pid is gone: absent, or a zombie no one has reaped yet. */
function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    return /\) Z /.test(spawnSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8" }).stdout);
  } catch {
    return true;
  }
}

describe("exec does not hold its worker", () => {
  it("20 programs in one namespace run at once, and a links call meanwhile answers while they all still run", async () => {
    await nsDo(ns.name(name), na.links()); // the namespace now has its worker
    const door = `/tmp/${prefix}-gate`;
    const waits = Array.from({ length: 20 }, () => nsDo(ns.name(name), na.exec(gate.argv(door))));
    try {
      expect(await until(() => gate.waiting(name, door) === 20, 30_000)).toBe(true);
      const {
        results: [links],
      } = await nsDo(ns.name(name), na.links());
      expect(links.map((l) => l.name)).toEqual(linksIn(name).map((l) => l.ifname));
      expect(gate.waiting(name, door)).toBe(20);
    } finally {
      gate.open(door);
    }
    for (const { results } of await Promise.all(waits)) expect(results[0].status).toBe(0);
    rmSync(door, { force: true });
  });

  it("the program runs inside the namespace, and actions after an exec run after it ended", async () => {
    const {
      results: [self, made, shown],
    } = await nsDo(
      ns.name(name),
      na.exec(["readlink", "/proc/self/ns/net"]),
      // getLink can only find the bridge if the exec before it has finished.
      na.exec(["sh", "-c", `sleep 0.3; ip link add ${prefix}br type bridge`]),
      na.getLink({ kind: "name", name: `${prefix}br` }),
    );
    expect(self.stdout.trim()).toBe(`net:[${inodeOf(nsFile)}]`);
    expect(made.status).toBe(0);
    expect(shown.kind).toBe("bridge");
    expect(linksIn(name).map((l) => l.ifname)).toContain(`${prefix}br`);
    ip("-n", name, "link", "del", `${prefix}br`);
  });

  it("an anonymous namespace created by the provider is the one the actions after an exec see", async () => {
    const { results, created } = await nsDo(
      ns.create(),
      na.link(lp.bridge(`${prefix}x`)),
      na.exec(["ip", "-j", "link", "show"]),
      na.links(),
    );
    try {
      const inode = created?.ino;
      const shown = (JSON.parse(results[1].stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
      expect(shown).toEqual(["lo", `${prefix}x`]);
      expect(results[2].map((l) => l.name).sort()).toEqual(shown);
      expect(heldNamespaceInodes()).toContain(inode);
    } finally {
      created?.close();
    }
  });

  it("a failing exec fails its nsDo at its index and stops the actions after it", async () => {
    const err = await nsDo(
      ns.name(name),
      na.links(),
      na.exec(["sh", "-c", "sleep 5"], { timeoutMs: 200 }),
      na.link(lp.bridge(`${prefix}n`)),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.actionIndex).toBe(1);
    expect(err.cause).toBeInstanceOf(ExecLimitError);
    expect(err.cause.code).toBe("ERR_EXEC_TIMEOUT");
    expect(linksIn(name).map((l) => l.ifname)).not.toContain(`${prefix}n`);
  });
});

describe("collected output", () => {
  it("input, stdout, stderr and the exit status", async () => {
    const {
      results: [r],
    } = await nsDo(ns.name(name), na.exec(["sh", "-c", "cat; echo oops >&2; exit 7"], { input: "hi\n" }));
    expect(r).toMatchObject({ status: 7, signal: null, stdout: "hi\n", stderr: "oops\n" });
  });

  it("output past maxBuffer kills the program and says so", async () => {
    const err = await nsDo(ns.name(name), na.exec(["sh", "-c", "echo $$; exec yes"], { maxBuffer: 1 << 20 })).catch((e) => e);
    expect(err.cause).toBeInstanceOf(ExecLimitError);
    expect(err.cause.code).toBe("ERR_EXEC_MAX_BUFFER");
    expect(err.cause.field).toBe("maxBuffer");
    const pid = Number(/pid (\d+)/.exec(err.cause.message)?.[1]);
    expect(await until(() => gone(pid), FAIL_AFTER_MS)).toBe(true);
  });

  it("a program not in PATH is a typed ENOENT before anything starts; one not runnable is EACCES", async () => {
    const missing = await nsDo(ns.name(name), na.exec([`${prefix}-no-such-program`])).catch((e) => e);
    expect(missing.cause).toBeInstanceOf(SystemCallError);
    expect(missing.cause.code).toBe("ENOENT");
    expect(missing.cause.message).toContain(`${prefix}-no-such-program`);
    const dir = mkdtempSync(join(tmpdir(), prefix));
    try {
      const file = join(dir, "not-runnable");
      writeFileSync(file, "#!/bin/sh\n");
      chmodSync(file, 0o644);
      const denied = await nsDo(ns.name(name), na.exec([file])).catch((e) => e);
      expect(denied.cause.code).toBe("EACCES");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("bad options name their field", () => {
    expect(() => na.exec(["true"], { maxBuffer: 0 })).toThrow(/maxBuffer/);
    expect(() => na.exec(["true"], { env: { "A=B": "x" } })).toThrow(/env\.A=B/);
    expect(() => na.exec(["true"], { input: 3 as unknown as string })).toThrow(/options\.input/);
  });
});

// Both ways a program starts: from this thread through nsenter (the default where it can), and on a worker inside.
describe.each([
  ["started here, through nsenter", () => undefined],
  ["started by a worker", () => defaultPool()],
])("spawn: streamed stdio, %s", (_, pool) => {
  it("relays stdin and output as they come, reports the exit, and runs inside the namespace", async () => {
    const p = await spawn(ns.name(name), ["sh", "-c", "while read line; do echo got $line; echo err $line >&2; done; exit 4"], {}, pool());
    expect(netnsInodeOfPid(p.pid)).toBe(inodeOf(nsFile));
    const out: string[] = [];
    p.stdout.on("data", (d: Buffer) => out.push(String(d)));
    const err: string[] = [];
    p.stderr.on("data", (d: Buffer) => err.push(String(d)));
    p.stdin.write("one\n");
    // Output arrives while the program still runs.
    expect(await until(() => out.join("") === "got one\n", FAIL_AFTER_MS)).toBe(true);
    p.stdin.end("two\n");
    expect(await p.exited).toEqual({ status: 4, signal: null });
    expect(out.join("")).toBe("got one\ngot two\n");
    expect(err.join("")).toBe("err one\nerr two\n");
  });

  it("kill signals the program", async () => {
    const p = await spawn(ns.name(name), ["sleep", "100"], {}, pool());
    p.kill("SIGINT");
    expect(await p.exited).toEqual({ status: null, signal: "SIGINT" });
    expect(gone(p.pid)).toBe(true);
    expect(() => p.kill("SIGNOPE" as NodeJS.Signals)).toThrow(/signal/);
  });

  it("a slow reader gets every byte (the pipe is paused rather than buffered without end)", async () => {
    const p = await spawn(ns.name(name), ["head", "-c", String(8 << 20), "/dev/zero"], {}, pool());
    let size = 0;
    const ended = finished(p.stdout);
    p.stdout.pause();
    await new Promise((r) => setTimeout(r, 300));
    p.stdout.on("data", (d: Buffer) => {
      size += d.length;
    });
    p.stdout.resume();
    await p.exited;
    await ended;
    expect(size).toBe(8 << 20);
  });

  it("input waits for a program that does not read it (bounded, not buffered without end)", async () => {
    const p = await spawn(ns.name(name), ["sleep", "100"], {}, pool());
    const chunk = Buffer.alloc(64 << 10);
    let accepted = 0;
    // Bounded by the pipe and the stream's buffer; without flow control every write is taken at once.
    while (accepted < 64 << 20 && p.stdin.write(chunk)) {
      accepted += chunk.length;
      await new Promise((r) => setImmediate(r));
    }
    expect(accepted).toBeLessThan(2 << 20);
    p.kill("SIGKILL");
    expect(await p.exited).toEqual({ status: null, signal: "SIGKILL" });
  });

  it("a program that ends at once still gives all its output, however late it is read", async () => {
    for (let i = 0; i < 20; i++) {
      const p = await spawn(ns.name(name), ["echo", `line ${i}`], {}, pool());
      await new Promise((r) => setTimeout(r, 20));
      let out = "";
      p.stdout.on("data", (d: Buffer) => {
        out += String(d);
      });
      await p.exited;
      await finished(p.stdout);
      expect(out).toBe(`line ${i}\n`);
    }
  });

  it("a missing program rejects with ENOENT", async () => {
    const err = await spawn(ns.name(name), [`${prefix}-no-such-program`], {}, pool()).catch((e) => e);
    expect(err.cause.code).toBe("ENOENT");
  });

  it("leaves no descriptor behind", async () => {
    const both = async () => {
      await nsDo(ns.name(name), na.exec(["true"]), na.links());
      const p = await spawn(ns.name(name), ["cat"], {}, pool());
      p.stdin.end("x");
      p.stdout.resume();
      await p.exited;
    };
    await both();
    const before = fdCount();
    for (let i = 0; i < 20; i++) await both();
    // Node opens and closes a few descriptors of its own meanwhile; a leak would be 20 or more.
    expect(await until(() => fdCount() <= before, FAIL_AFTER_MS)).toBe(true);
  });
});

// exec(): na.exec as one call, both ways it runs (through nsenter from this thread, or a worker's task).
describe.each([
  ["run here, through nsenter", () => undefined],
  ["run by a worker", () => defaultPool()],
])("exec: collected, %s", (_, pool) => {
  it("input, stdout, stderr and the exit status, inside the namespace", async () => {
    const r = await exec(ns.name(name), ["sh", "-c", "cat; readlink /proc/self/ns/net >&2; exit 7"], { input: "hi\n" }, pool());
    expect(r).toMatchObject({ status: 7, signal: null, stdout: "hi\n", stderr: `net:[${inodeOf(nsFile)}]\n` });
  });

  it("its limits: maxBuffer and timeoutMs kill the program and say so, as the action's do", async () => {
    const big = await exec(ns.name(name), ["yes"], { maxBuffer: 1 << 16 }, pool()).catch((e) => e);
    expect(big).toBeInstanceOf(ActionError);
    expect(big.cause).toMatchObject({ code: "ERR_EXEC_MAX_BUFFER", field: "maxBuffer" });
    const slow = await exec(ns.name(name), ["sleep", "5"], { timeoutMs: 100 }, pool()).catch((e) => e);
    expect(slow.cause).toMatchObject({ code: "ERR_EXEC_TIMEOUT", field: "timeoutMs" });
  });

  it("a missing program is a typed ENOENT before anything starts; bad options and namespaces are refused", async () => {
    const missing = await exec(ns.name(name), [`${prefix}-no-such-program`], {}, pool()).catch((e) => e);
    expect(missing).toMatchObject({ action: "exec", actionIndex: 0 });
    expect(missing.cause).toBeInstanceOf(SystemCallError);
    expect(missing.cause.code).toBe("ENOENT");
    await expect(exec(ns.name(name), ["true"], { maxBuffer: 0 }, pool())).rejects.toThrow(/maxBuffer/);
    await expect(exec(ns.path("/etc/hostname"), ["true"], {}, pool())).rejects.toMatchObject({ code: "ERR_NOT_A_NAMESPACE" });
  });
});

describe("spawn without a worker", () => {
  it("spawn and exec start no thread where nsenter can enter the namespace, and the program runs inside", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
        import { readdirSync, readlinkSync } from "node:fs";
        import { exec, ns, spawn } from "@neslink/core";
        const tasks = () => readdirSync("/proc/self/task").length;
        const before = tasks();
        const p = await spawn(ns.name(${JSON.stringify(name)}), ["sleep", "5"]);
        const inside = readlinkSync("/proc/" + p.pid + "/ns/net");
        const during = tasks();
        p.kill();
        const exit = await p.exited;
        // exec() the same way: collected, still no thread.
        const collected = await exec(ns.name(${JSON.stringify(name)}), ["readlink", "/proc/self/ns/net"]);
        console.log(JSON.stringify({ before, during: Math.max(during, tasks()), inside, exit, collected: collected.stdout.trim() }));
      `,
      ],
      { cwd: CORE_DIR, encoding: "utf8", timeout: 20_000 },
    );
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { before: number; during: number; inside: string; exit: unknown; collected: string };
    expect(out.during).toBe(out.before);
    expect(out.inside).toBe(`net:[${inodeOf(nsFile)}]`);
    expect(out.collected).toBe(`net:[${inodeOf(nsFile)}]`);
    expect(out.exit).toEqual({ status: null, signal: "SIGTERM" });
  });

  it('stdio "inherit": the program writes to the process\'s own stdout and reads its stdin, without a worker and through one', () => {
    const argv = ["sh", "-c", 'read line; echo "$line $(readlink /proc/self/ns/net)"; exit 5'];
    const script = (pool: string) => `
      import { defaultPool, ns, spawn } from "@neslink/core";
      const p = await spawn(ns.name(${JSON.stringify(name)}), ${JSON.stringify(argv)}, { stdio: "inherit" }${pool});
      let piped = "";
      p.stdout.on("data", (d) => (piped += d));
      const exit = await p.exited;
      console.error(JSON.stringify({ exit, piped }));
      process.exit(0);
    `;
    for (const pool of ["", ", defaultPool()"]) {
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script(pool)], {
        cwd: CORE_DIR,
        encoding: "utf8",
        input: "from-stdin\n",
        timeout: 20_000,
      });
      // The program's output is on the child's own stdout; the ExecProcess's stream carried nothing (stderr: what the child saw).
      expect({ stdout: r.stdout, seen: JSON.parse(r.stderr) }).toEqual({
        stdout: `from-stdin net:[${inodeOf(nsFile)}]\n`,
        seen: { exit: { status: 5, signal: null }, piped: "" },
      });
    }
  });

  it("stdio must be pipe, inherit or merged", async () => {
    await expect(spawn(ns.name(name), ["true"], { stdio: "tty" as never })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "stdio",
    });
  });

  it("refuses what is no namespace before anything starts, as nsDo does", async () => {
    await expect(spawn(ns.path("/etc/hostname"), ["true"])).rejects.toMatchObject({ code: "ERR_NOT_A_NAMESPACE" });
    await expect(spawn(ns.name(`${prefix}none`), ["true"])).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
  });
});

describe("the program's life and the process's", () => {
  /** Runs a script (importing the built package) in a child node process; resolves with its first stdout line and the process. */
  function script(body: string) {
    const child = spawnChild(process.execPath, ["--input-type=module", "-e", body], {
      cwd: CORE_DIR,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = new Promise<string>((resolve) => {
      let text = "";
      child.stdout.on("data", (d: Buffer) => {
        text += String(d);
        if (text.includes("\n")) resolve(text.split("\n")[0] as string);
      });
    });
    return { child, line };
  }

  it("kill -9 of the parent process: its running programs die too (PR_SET_PDEATHSIG), streamed or collected", async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const pidFile = join(dir, "pid");
    const { child, line } = script(`
      import { na, ns, nsDo, spawn } from "@neslink/core";
      nsDo(ns.name(${JSON.stringify(name)}), na.exec(["sh", "-c", 'echo $$ > "$0"; exec sleep 100', ${JSON.stringify(pidFile)}]));
      const p = await spawn(ns.name(${JSON.stringify(name)}), ["sleep", "100"]);
      console.log(p.pid);
    `);
    const pids = [Number(await line)];
    try {
      expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"), FAIL_AFTER_MS)).toBe(true);
      pids.push(Number(readFileSync(pidFile, "utf8")));
      for (const pid of pids) expect(netnsInodeOfPid(pid)).toBe(inodeOf(nsFile));
      child.kill("SIGKILL");
      for (const pid of pids) expect(await until(() => gone(pid), FAIL_AFTER_MS)).toBe(true);
    } finally {
      for (const pid of pids) if (!gone(pid)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true });
    }
  });

  it("kill -9 of the parent process: a program in a group of its own dies too (setsid leaves PR_SET_PDEATHSIG be)", async () => {
    const { child, line } = script(`
      import { defaultPool, ns, spawn } from "@neslink/core";
      const here = await spawn(ns.name(${JSON.stringify(name)}), ["sleep", "100"], { group: true });
      const onWorker = await spawn(ns.name(${JSON.stringify(name)}), ["sleep", "100"], { group: true }, defaultPool());
      console.log(here.pid, onWorker.pid);
    `);
    const pids = (await line).split(" ").map(Number);
    try {
      expect(pids).toHaveLength(2);
      // Each leads its group (pgrp, the 5th field of /proc/PID/stat, is its own pid).
      for (const pid of pids) expect(/\) \S+ \d+ (\d+) /.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1]).toBe(String(pid));
      child.kill("SIGKILL");
      for (const pid of pids) expect(await until(() => gone(pid), FAIL_AFTER_MS)).toBe(true);
    } finally {
      for (const pid of pids) if (!gone(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("kill -9 of the parent process: what a running program of a group of its own started in the background dies too; what one that ended left runs on", async () => {
    // Each program writes its background child's pid first.
    const { child, line } = script(`
      import { defaultPool, exec, ns, spawn } from "@neslink/core";
      const target = ns.name(${JSON.stringify(name)});
      const firstLine = (p) => new Promise((resolve) => p.stdout.once("data", (d) => resolve(String(d).trim())));
      const running = ["sh", "-c", "sleep 100 & echo $!; wait"];
      const here = await spawn(target, running, { group: true });
      const onWorker = await spawn(target, running, { group: true }, defaultPool());
      const ended = await exec(target, ["sh", "-c", "sleep 100 >/dev/null 2>&1 & echo $!"], { group: true });
      console.log(await firstLine(here), await firstLine(onWorker), ended.stdout.trim(), ended.pid);
    `);
    const [hereChild, workerChild, daemon, endedPid] = (await line).split(" ").map(Number) as [number, number, number, number];
    try {
      // The guard of the group whose program ended was told so, and is gone: nothing will kill what it left.
      const guardOf = (pgid: number) =>
        readdirSync("/proc").some((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, "utf8").endsWith(`kill -s KILL -- "-$0"\0${pgid}\0`);
          } catch {
            return false;
          }
        });
      expect(await until(() => !guardOf(endedPid), FAIL_AFTER_MS)).toBe(true);
      child.kill("SIGKILL");
      for (const pid of [hereChild, workerChild]) expect(await until(() => gone(pid), FAIL_AFTER_MS), `background child ${pid}`).toBe(true);
      expect(gone(daemon)).toBe(false);
    } finally {
      for (const pid of [hereChild, workerChild, daemon]) if (!gone(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("nsDo's own timeoutMs ends the worker and so its running program too (the worker thread forked it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const pidFile = join(dir, "pid");
    try {
      // A timeout that came before the program had written its pid (a loaded machine's spawn) proved nothing: tried
      // again with twice the time, rather than failing on the missing file as a fixed 500 ms could.
      for (let timeoutMs = 250; !existsSync(pidFile); timeoutMs *= 2) {
        const argv = ["sh", "-c", 'echo $$ > "$0.tmp"; mv "$0.tmp" "$0"; exec sleep 100', pidFile];
        const err = await nsDo(ns.name(name), na.exec(argv), { timeoutMs }).catch((e) => e);
        expect(err.code).toBe("ERR_TIMEOUT");
        if (timeoutMs >= 16_000) break;
      }
      const pid = Number(readFileSync(pidFile, "utf8"));
      expect(await until(() => gone(pid), FAIL_AFTER_MS)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("a running program keeps the process alive, though nothing awaits it", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
        import { nsDo, ns, na, closeDefaultPool } from "@neslink/core";
        nsDo(ns.name(${JSON.stringify(name)}), na.exec(["sh", "-c", "sleep 0.5; echo done"])).then(({ results }) => {
          console.log(results[0].stdout.trim());
          return closeDefaultPool();
        });
      `,
      ],
      { cwd: CORE_DIR, encoding: "utf8", timeout: 20_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("done\n");
    expect(r.status).toBe(0);
  });

  it("closing the pool waits for a running program and the actions after it", async () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
        import { nsDo, ns, na, closeDefaultPool } from "@neslink/core";
        const run = nsDo(ns.name(${JSON.stringify(name)}), na.exec(["sh", "-c", "sleep 0.5; echo done"]), na.links());
        await new Promise((r) => setTimeout(r, 100));
        await closeDefaultPool();
        const { results } = await run;
        console.log(results[0].stdout.trim(), results[1].length);
      `,
      ],
      { cwd: CORE_DIR, encoding: "utf8", timeout: 20_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`done ${linksIn(name).length}`);
    expect(r.status).toBe(0);
  });
});
