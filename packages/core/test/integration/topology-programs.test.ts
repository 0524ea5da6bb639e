/**
 * A node's `exec` commands and `processes` as a lab engineer meets them when
 * they misbehave: what apply reports, and what is left for the next apply.
 * Results are checked with iproute2 (the nodes' markers on lo) and /proc.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it, vi } from "vitest";
import { cleanup, commandLines, ipJson, uniquePrefix, withLab } from "./kernel.js";

const prefix = uniquePrefix("tp");
let labs = 0;
const newLab = () => `${prefix}${(labs++).toString(36)}`;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** The alias on a node's lo: neslink's marker, ending in " ready" once its exec commands have all run. */
function loAlias(netns: string): string {
  return String(ipJson<{ ifalias?: string }[]>("-n", netns, "link", "show", "lo")[0]?.ifalias ?? "");
}

describe("exec commands", () => {
  it("one that runs past its timeout (seconds; 120 unless the file says) is killed, and apply fails naming it and the limit", async () => {
    await withLab(newLab(), async (name) => {
      const marker = `${name}-never-ends`;
      const t = topology.load(
        `name: ${name}\nnodes:\n  a: { exec: ["echo before", { command: [sh, -c, "exec sleep 1000 # ${marker}"], timeout: 1 }] }\n  b: { exec: ["true"] }\n`,
      );
      expect(t.nodes.map((n) => n.exec)).toEqual([
        [
          { argv: ["/bin/sh", "-c", "echo before"], timeoutMs: 120_000 },
          { argv: ["sh", "-c", `exec sleep 1000 # ${marker}`], timeoutMs: 1000 },
        ],
        [{ argv: ["/bin/sh", "-c", "true"], timeoutMs: 120_000 }],
      ]);
      const err = await topology.apply(t).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(topology.TopologyApplyError);
      const failed = err as topology.TopologyApplyError;
      expect(failed.message).toContain(
        `running sh -c 'exec sleep 1000 # ${marker}': did not end within its timeout of 1 s, and was killed` +
          " (to give it longer, set the entry's `timeout` in seconds; 0 for no limit)",
      );
      expect(JSON.parse(JSON.stringify(failed)).failures[0].error.code).toBe("ERR_EXEC_TIMEOUT");
      expect(failed.exec.map((e) => e.stdout)).toEqual(expect.arrayContaining(["before\n"]));
      // Killed: nothing of it left running.
      expect(commandLines().filter((c) => c.includes(marker))).toEqual([]);
      expect(loAlias(`${name}-a`)).not.toMatch(/ ready$/);
    });
  });

  it("one past its timeout that started others (a shell's children, foreground and background): they are killed with it", async () => {
    await withLab(newLab(), async (name) => {
      // A sleep of this test's own length: the shell forks both (it execs only a last simple command).
      const seconds = `1000.${Number.parseInt(name.slice(-6), 36)}`;
      const t = topology.load(`name: ${name}\nnodes:\n  a: { exec: [{ command: "sleep ${seconds} & sleep ${seconds}", timeout: 1 }] }\n`);
      const err = await topology.apply(t).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(JSON.parse(JSON.stringify(err)).failures[0].error.code).toBe("ERR_EXEC_TIMEOUT");
      // Killed, with what it started: it left both sleeps running in the node until the next apply or destroy.
      expect(commandLines().filter((c) => c === `sleep\0${seconds}\0`)).toEqual([]);
    });
  });

  it("a hand-built copy keeps its commands' timeouts, held to the file's rules", async () => {
    const name = newLab();
    const t = topology.load({ name, nodes: { a: { exec: [{ command: "true", timeout: 5 }, "true"] } } });
    const copy = structuredClone(t);
    expect((await topology.plan(copy)).changes.filter((c) => c.object === "exec")).toMatchObject([
      { timeoutMs: 5000 },
      { timeoutMs: 120_000 },
    ]);
    const odd = structuredClone(t);
    (odd.nodes[0]?.exec[0] as { timeoutMs: number }).timeoutMs = 1500;
    await expect(topology.plan(odd)).rejects.toThrow(/exec\[0\]\.timeout/);
  });

  it("an apply killed (-9) while a node's commands run: the next apply ends what they started before it runs them again", async () => {
    await withLab(newLab(), async (name) => {
      const dir = mkdtempSync(`${tmpdir()}/${name}-`);
      try {
        // A sleep of this test's own length (a shell may exec its last command: the sleep is what stays), in the
        // background for good; then a wait in the foreground until the flag file exists.
        const seconds = `1000.${Number.parseInt(name.slice(-6), 36)}`;
        const text = `name: ${name}\nnodes:\n  a: { exec: ["sleep ${seconds} & while [ ! -e ${dir}/flag ]; do sleep 0.1; done"] }\n`;
        const script = `const { topology } = await import("@neslink/core"); await topology.apply(topology.load(${JSON.stringify(text)}));`;
        const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
        const exited = new Promise((resolve) => child.on("exit", resolve));
        const running = () => commandLines().filter((c) => c === `sleep\0${seconds}\0`).length;
        for (let i = 0; i < 600 && running() === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(running()).toBe(1);
        child.kill("SIGKILL");
        await exited;
        writeFileSync(`${dir}/flag`, "");
        await topology.apply(topology.load(text));
        // Once, not once per apply that ran the node's commands.
        expect(running()).toBe(1);
        expect(loAlias(`${name}-a`)).toMatch(/ ready$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("refuses a timeout that is not a whole number of seconds from 0 (no limit) to a day", () => {
    for (const timeout of [-1, 1.5, 86_401, "1m"])
      expect(() => topology.load({ name: newLab(), nodes: { a: { exec: [{ command: "true", timeout }] } } })).toThrow(/exec\[0\]\.timeout/);
    expect(topology.load({ name: newLab(), nodes: { a: { exec: [{ command: "true", timeout: 0 }] } } }).nodes[0]?.exec).toEqual([
      { argv: ["/bin/sh", "-c", "true"], timeoutMs: 0 },
    ]);
  });

  it("a failed apply still reports the output of the commands that ran, naming the one that failed", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(
        `name: ${name}\nnodes:\n  a: { exec: ["echo first", "head -c 20000000 /dev/zero", "echo third"] }\n  b: { exec: ["echo b-ok"] }\n`,
      );
      const err = await topology.apply(t).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(topology.TopologyApplyError);
      const failed = err as topology.TopologyApplyError;
      expect(failed.message).toContain("running /bin/sh -c 'head -c 20000000 /dev/zero': output passed maxBuffer");
      // b's commands ran and its node is ready: they never run again, so this error is the only place their output is.
      expect(loAlias(`${name}-b`)).toMatch(/ ready$/);
      expect(loAlias(`${name}-a`)).not.toMatch(/ ready$/);
      const outputs = failed.exec.map((e) => ({ node: e.node, status: e.status, stdout: e.stdout }));
      expect(outputs).toEqual(
        expect.arrayContaining([
          { node: "a", status: 0, stdout: "first\n" },
          { node: "b", status: 0, stdout: "b-ok\n" },
        ]),
      );
      expect(outputs).toHaveLength(2);
      expect(JSON.parse(JSON.stringify(failed)).exec).toHaveLength(2);
      // a's first command ran, and is recorded: the one that failed and the one after it are left to run.
      expect((await topology.plan(t)).changes.filter((c) => c.object === "exec").map((c) => (c as { argv: string[] }).argv[2])).toEqual([
        "head -c 20000000 /dev/zero",
        "echo third",
      ]);
    });
  });
});

/** The command line of a live process, "" once it is gone (or a zombie). */
function commandOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat[stat.lastIndexOf(")") + 2] === "Z") return "";
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

describe("programs", () => {
  it("a program whose name begins with '-' is run as the program, not taken as an option of the start (-w hung apply)", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [{ name: dash, command: ["-w", "sleep", "1009"] }] }\n`);
      await expect(topology.apply(t)).rejects.toMatchObject({
        code: "ERR_TOPOLOGY_APPLY",
        message: expect.stringContaining("failed to execute -w: No such file or directory"),
      });
      const [node] = (await topology.inspect(name)).nodes;
      expect(node?.processes).toEqual([]);
    });
  }, 20_000);

  it("a program that exits at once fails alone: the node's others that run are reported made, each quitter with its last words", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(
        `name: ${name}\nnodes:\n  a:\n    processes:\n      - { name: quick, command: "echo bye; exit 0" }\n      - { name: ok, command: [sleep, "1001"] }\n      - { name: crash, command: "echo boom >&2; exit 1" }\n`,
      );
      const err = await topology.apply(t).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(topology.TopologyApplyError);
      const failed = err as topology.TopologyApplyError;
      expect(failed.failures.flatMap((f) => f.changes)).toEqual([
        "+ process a:quick (/bin/sh -c 'echo bye; exit 0')",
        "+ process a:crash (/bin/sh -c 'echo boom >&2; exit 1')",
      ]);
      expect(failed.message).toContain('quick (never started, or exited at once: "bye"');
      expect(failed.message).toContain('crash (never started, or exited at once: "boom"');
      expect(failed.done.map((c) => (c.object === "process" && c.op === "create" ? c.process.name : c.object))).toEqual(["netns", "ok"]);
      const [node] = (await topology.inspect(name)).nodes;
      const ok = node?.processes.find((p) => p.name === "ok");
      expect(ok?.phase).toBe("running");
      expect(commandOf(ok?.pid as number)).toBe("sleep 1001");
    });
  });
  it("a program that is itself setsid (setsid -w daemon) is running, not 'still starting'", async () => {
    await withLab(newLab(), async (name) => {
      const t = topology.load(`name: ${name}\nnodes:\n  a: { processes: [{ name: own, command: [setsid, -w, sleep, "1011"] }] }\n`);
      await topology.apply(t);
      const [node] = (await topology.inspect(name)).nodes;
      expect(node?.processes.map((p) => p.phase)).toEqual(["running"]);
      // setsid's child is seen from its fork on: under setsid's own command line until its exec of sleep.
      await vi.waitFor(
        async () =>
          expect((await topology.inspect(name)).nodes[0]?.processes[0]?.pids.map(commandOf)).toEqual([
            "setsid -w sleep 1011",
            "sleep 1011",
          ]),
        { timeout: 10_000 },
      );
    });
  });
});
