/**
 * A namespace mounted on its own entry more than once (`mount --bind` of the
 * entry onto itself): its delete takes every layer down, where it unmounted
 * the top one, took the one below for a namespace someone mounted since, and
 * left it (and the entry) while saying the namespace was deleted. Another
 * namespace mounted under or over an entry is still left alone.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { closeDefaultPool, na, ns, nsDo, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("st");
const mountsAt = (path: string) =>
  readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.split(" ")[4] === path).length;
const bindOnItself = (path: string) => execFileSync("mount", ["--bind", path, path]);

/** Every layer unmounted, then the entries: cleanup's `ip netns del` takes one. */
function unstack(): void {
  for (const name of ["s1", "s2", "o", "lab-a"].map((n) => `${prefix}${n}`)) {
    const path = `/run/netns/${name}`;
    for (let i = 0; i < 10 && mountsAt(path) > 1; i++) execFileSync("umount", [path]);
  }
}

afterAll(async () => {
  unstack();
  cleanup(prefix);
  await closeDefaultPool();
});

describe("a namespace mounted on its own entry more than once", () => {
  it("is deleted whole: every layer unmounted and the entry removed", async () => {
    const path = `/run/netns/${prefix}s1`;
    ip("netns", "add", `${prefix}s1`);
    bindOnItself(path);
    bindOnItself(path);
    expect(mountsAt(path)).toBeGreaterThan(1);
    await nsDo(ns.now(), na.deleteNamed(`${prefix}s1`));
    expect(mountsAt(path)).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("but a namespace mounted over another's entry is all a delete of that name takes: the one below stays", async () => {
    const path = `/run/netns/${prefix}s2`;
    ip("netns", "add", `${prefix}s2`);
    ip("netns", "add", `${prefix}o`);
    const below = statSync(path).ino;
    execFileSync("mount", ["--bind", `/run/netns/${prefix}o`, path]);
    await nsDo(ns.now(), na.deleteNamed(`${prefix}s2`));
    expect(mountsAt(path)).toBe(1);
    expect(statSync(path).ino).toBe(below);
  });

  it("a lab's destroy leaves nothing of a node whose entry was bound onto itself", async () => {
    const lab = `${prefix}lab`;
    const t = topology.load({ name: lab, nodes: { a: {}, b: {} }, links: [{ endpoints: ["a:e0", "b:e0"] }] });
    await topology.apply(t);
    const path = `/run/netns/${lab}-a`;
    bindOnItself(path);
    const { removed } = await topology.destroy(lab);
    expect(removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(mountsAt(path)).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`/run/netns/${lab}-b`)).toBe(false);
  });
});
