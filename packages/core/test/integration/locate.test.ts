import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix, until } from "./kernel.js";

// The lab's name is the prefix, so every namespace it makes (and the decoy) starts with it.
const lab = uniquePrefix("lo");
afterAll(async () => {
  await closeDefaultPool();
  cleanup(lab);
});

describe("topology.locateNode, runningLabs and labKnown (the kernel's markers)", () => {
  it("finds a node under its default name, under a name its file gave, and never a namespace only named like it", async () => {
    await topology.apply(topology.load(`name: ${lab}\nnodes:\n  h1: {}\n  h2: { netns: ${lab}-elsewhere }\n`));
    // Named like node h3 of the lab, but not marked as it.
    ip("netns", "add", `${lab}-h3`);

    expect(await topology.locateNode(lab, "h1")).toBe(`${lab}-h1`);
    expect(await topology.locateNode(lab, "h2")).toBe(`${lab}-elsewhere`);
    await expect(topology.locateNode(lab, "h3")).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
    expect(await topology.runningLabs()).toContain(lab);
    expect(await topology.labKnown(lab)).toBe(true);

    await topology.destroy(lab);
    expect(await topology.runningLabs()).not.toContain(lab);
    expect(await topology.labKnown(lab)).toBe(false);
    await expect(topology.locateNode(lab, "h1")).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
  });
});

describe("topology.labKnown", () => {
  const other = `${lab}r`;
  const lock = `/run/neslink/topologies/${other}.lock`;
  afterAll(() => rmSync(lock, { force: true }));

  it("knows a lab by its running nodes with no record left, and by its record alone; a text no lab can have is none", async () => {
    await topology.apply(topology.load(`name: ${other}\nnodes:\n  h1: {}\n`));
    // Its record gone (removed by hand): the kernel's markers still say it runs.
    rmSync(lock);
    rmSync(`/run/neslink/topologies/${other}`, { recursive: true, force: true });
    expect(await topology.labKnown(other)).toBe(true);
    await topology.destroy(other);
    expect(netnsList(other)).toEqual([]);
    expect(await topology.labKnown(other)).toBe(false);
    // What an apply killed before its first change leaves: the lock file, held by no one, and nothing of the lab. It
    // was taken for a lab, and destroy asked to confirm destroying it.
    writeFileSync(lock, "");
    expect(await topology.labKnown(other)).toBe(false);
    // Held, it is an apply or destroy under way: a lab.
    const holder = spawn("flock", ["-o", lock, "sleep", "30"], { stdio: "ignore" });
    try {
      expect(await until(() => readFileSync("/proc/locks", "utf8").includes(` ${holder.pid} `), 10_000)).toBe(true);
      expect(await topology.labKnown(other)).toBe(true);
    } finally {
      holder.kill("SIGKILL");
    }
    expect(await topology.labKnown("Not-A-Lab")).toBe(false);
  });

  it("knows a lab by its programs alone: nodes deleted by hand, record and lock gone, so destroy asks before ending them", async () => {
    const third = `${lab}p`;
    await topology.apply(topology.load(`name: ${third}\nnodes:\n  a: { processes: [[sleep, "1000"]] }\n  b: {}\n`));
    try {
      expect(await until(() => ip("netns", "pids", `${third}-a`).trim() !== "", 10_000)).toBe(true);
      ip("netns", "del", `${third}-a`);
      ip("netns", "del", `${third}-b`);
      rmSync(`/run/neslink/topologies/${third}.lock`, { force: true });
      rmSync(`/run/neslink/topologies/${third}`, { recursive: true, force: true });
      expect(netnsList(third)).toEqual([]);
      expect(await topology.labKnown(third)).toBe(true);
      expect((await topology.destroy(third)).leftovers.programs).toEqual([{ node: "a", program: "sleep", processes: 1 }]);
      expect(await topology.labKnown(third)).toBe(false);
    } finally {
      await topology.destroy(third);
    }
  });
});
