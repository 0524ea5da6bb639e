/**
 * A lab of many nodes through the built bin where cost or descriptors grow
 * with the number of nodes: what must not depend on it is counted (a
 * directory read, descriptors under a low limit), never timed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-scale-`);
const labs: string[] = [];

afterEach(() => {
  for (const lab of labs.splice(0)) cleanup(`${lab}-`);
});

/** A lab of `nodes` bare nodes (a namespace each, nothing in it), applied; its name. */
function bareLab(nodes: number): { lab: string; file: string } {
  const lab = uniquePrefix("ls");
  labs.push(lab);
  const file = `${dir}/${lab}.yaml`;
  const lines = Array.from({ length: nodes }, (_, i) => `  b${i}: {}`);
  writeFileSync(file, `name: ${lab}\nnodes:\n${lines.join("\n")}\n`);
  const applied = neslink("apply", file, "--yes");
  expect(applied.stderr).toBe("");
  expect(applied.status).toBe(0);
  expect(netnsList(`${lab}-`)).toHaveLength(nodes);
  return { lab, file };
}

/** How many times a run of the built bin with `args` opens the namespaces' mount dir to list it (strace). */
function mountDirReads(...args: string[]): number {
  const trace = `${dir}/trace`;
  execFileSync("strace", ["-f", "-e", "trace=openat", "-o", trace, process.execPath, BIN, ...args], { stdio: "ignore" });
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter((l) => l.includes('"/run/netns"') && l.includes("O_DIRECTORY")).length;
}

describe("a lab of many nodes", () => {
  it("is inspected with a fixed number of reads of the mount dir, not one a node", () => {
    const { lab, file } = bareLab(20);
    // Two listings (of the marked namespaces, and of the names present), whatever the lab's size: it was one a node more.
    for (const args of [
      ["inspect", lab],
      ["inspect", file],
      ["graph", lab],
    ])
      expect(mountDirReads(...args)).toBeLessThanOrEqual(2);
  });

  it("is destroyed whole under a descriptor limit below its number of nodes", () => {
    // The nodes outnumber the limit: a destroy holding a descriptor on every namespace it deleted ran out part-way.
    const { lab } = bareLab(150);
    const r = spawnSync("prlimit", ["--nofile=64:64", process.execPath, BIN, "destroy", lab, "--yes"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Destroyed ${lab}: 150 nodes removed in \\d+ ms\\.$`, "m"));
    expect(netnsList(`${lab}-`)).toEqual([]);
  });
});

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
