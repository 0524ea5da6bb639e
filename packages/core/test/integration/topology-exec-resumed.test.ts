/**
 * A new node's `exec` entry that fails: those before it ran, and are recorded
 * as run as each ends, so the next apply runs only the failed one and those
 * after it (a `mkdir` run again would fail with EEXIST: the lab would never
 * converge). A node whose namespace is gone and made again starts from an
 * empty record, even when the apply that makes it stops before its commands.
 * An apply killed while an entry runs ends only what that entry started
 * before it runs it again. The record is read from the lab's directory, the marker from the kernel
 * (`ip -j -d link show lo` in the node), the commands' effects from files.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, commandLines, ip, ipJson, uniquePrefix, withLab } from "./kernel.js";
import { recordedOfA, resumedExec } from "./exec-resumed-lab.js";
import { offOnceMade, REFUSED_LINE, refusedRouteLab } from "./refused-route-lab.js";

const prefix = uniquePrefix("ter");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

const { mkdir: MKDIR, failsOnce: FAILS_ONCE, later: LATER, all: EXEC } = resumedExec(dir);

const line = (argv: string[]) => `+ exec in a: ${topology.commandLine(argv)}`;
const loAlias = (netns: string) => ipJson<{ ifalias?: string }[]>("-n", netns, "link", "show", "lo")[0]?.ifalias;
const log = () => (existsSync(`${dir}/log`) ? readFileSync(`${dir}/log`, "utf8") : "");
const execPlanned = async (t: topology.Topology) =>
  (await topology.plan(t)).changes.filter((c) => c.object === "exec").map(topology.describeChange);
const failing = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("the apply should fail"),
    (err: unknown) => {
      expect(err).toBeInstanceOf(topology.TopologyApplyError);
      return err as topology.TopologyApplyError;
    },
  );

describe("a new node's exec entries, an entry failing", () => {
  it("those that ran are recorded and not run again; the next apply runs the failed one and those after it", async () => {
    const name = `${prefix}a`;
    rmSync(`${dir}/mark`, { force: true });
    await withLab(name, async () => {
      const lab = topology.load({ name, nodes: { a: { exec: EXEC } } });
      const error = await failing(topology.apply(lab));
      expect(error.done.filter((c) => c.object === "exec").map(topology.describeChange)).toEqual([line(MKDIR)]);
      expect(error.failures).toEqual([
        { changes: [line(FAILS_ONCE)], notAttempted: [line(LATER)], error: expect.objectContaining({ code: "ERR_EXEC_FAILED" }) },
      ]);
      expect(existsSync(`${dir}/once`)).toBe(true);
      expect(recordedOfA(name)).toEqual([MKDIR]);
      // Not ready: its commands have not all run.
      expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a`);
      // The plan says what runs: not the mkdir.
      expect(await execPlanned(lab)).toEqual([line(FAILS_ONCE), line(LATER)]);

      const result = await topology.apply(lab);
      expect(result.exec.map((e) => [e.argv, e.status])).toEqual([
        [FAILS_ONCE, 0],
        [LATER, 0],
      ]);
      expect(recordedOfA(name)).toEqual(EXEC);
      expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a ready`);
      expect(log()).toBe("later\n");
      expect(await execPlanned(lab)).toEqual([]);
      expect((await topology.apply(lab)).exec).toEqual([]);
      expect(log()).toBe("later\n");
    });
  });

  it("a node whose namespace is made again starts from an empty record, also when that apply stops before its commands", async () => {
    const name = `${prefix}b`;
    rmSync(`${dir}/once`, { recursive: true, force: true });
    rmSync(`${dir}/log`, { force: true });
    // The mark is there: every entry succeeds.
    writeFileSync(`${dir}/mark`, "");
    // The same lab twice, node a with EXEC: once with a route the kernel refuses (the apply stops before phase 5).
    const withExec = refusedRouteLab(name).replace("\n  a:\n", `\n  a:\n    exec: ${JSON.stringify(EXEC)}\n`);
    const refusedWithExec = topology.load(withExec);
    const good = topology.load(withExec.replace(`${REFUSED_LINE}\n`, ""));
    await withLab(name, async () => {
      await topology.apply(good);
      expect(recordedOfA(name)).toEqual(EXEC);
      ip("netns", "del", `${name}-a`);
      rmSync(`${dir}/once`, { recursive: true });
      expect(await execPlanned(good)).toEqual(EXEC.map(line));

      await failing(topology.apply(refusedWithExec, { onProgress: offOnceMade(name) }));
      expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a`);
      expect(existsSync(`${dir}/once`)).toBe(false);
      // What ran in the namespace that is gone does not count for the one made now.
      expect(await execPlanned(refusedWithExec)).toEqual(EXEC.map(line));
      rmSync(`${dir}/log`);

      const result = await topology.apply(good);
      expect(result.exec.map((e) => [e.argv, e.status])).toEqual(EXEC.map((argv) => [argv, 0]));
      expect(recordedOfA(name)).toEqual(EXEC);
      expect(existsSync(`${dir}/once`)).toBe(true);
      expect(log()).toBe("later\n");
    });
  });

  it("an apply killed (-9) as an entry after one that ran runs: the next ends what that entry started and runs it alone", async () => {
    const name = `${prefix}k`;
    // Sleeps of this test's own lengths: the first entry's runs on for good, the second's until its node is destroyed.
    const first = `1000.${process.pid}1`;
    const second = `1000.${process.pid}2`;
    const exec: [string, string] = [
      `echo first >> ${dir}/k; sleep ${first} &`,
      `sleep ${second} & while [ ! -e ${dir}/flag ]; do sleep 0.1; done`,
    ];
    const text = `name: ${name}\nnodes:\n  a: { exec: ${JSON.stringify(exec)} }\n`;
    const running = (seconds: string) => commandLines().filter((c) => c === `sleep\0${seconds}\0`).length;
    await withLab(name, async () => {
      const script = `const { topology } = await import("@neslink/core"); await topology.apply(topology.load(${JSON.stringify(text)}));`;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      for (let i = 0; i < 600 && running(second) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(running(second)).toBe(1);
      child.kill("SIGKILL");
      await exited;
      expect(recordedOfA(name)).toEqual([["/bin/sh", "-c", exec[0]]]);
      writeFileSync(`${dir}/flag`, "");
      const lab = topology.load(text);
      expect(await execPlanned(lab)).toEqual([line(["/bin/sh", "-c", exec[1]])]);

      await topology.apply(lab);
      // The first entry ran once, and what it started runs on; the second's, killed with its apply, runs once.
      expect(readFileSync(`${dir}/k`, "utf8")).toBe("first\n");
      expect(running(first)).toBe(1);
      expect(running(second)).toBe(1);
      expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a ready`);
    });
    expect(running(first) + running(second)).toBe(0);
  });
});
