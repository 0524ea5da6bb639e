/**
 * A lab of many nodes through the built bin where cost or descriptors grow
 * with the number of nodes: what must not depend on it is counted (a
 * directory read, descriptors under a low limit), never timed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-scale-`);
const labs: string[] = [];

afterEach(() => {
  for (const lab of labs.splice(0)) cleanup(lab);
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

/** A lab from `nodes` and `links` lines of YAML, applied; its name and file. */
function labOf(nodes: string[], links: string[]): { lab: string; file: string } {
  const lab = uniquePrefix("ls");
  labs.push(lab);
  const file = `${dir}/${lab}.yaml`;
  writeFileSync(file, `name: ${lab}\nnodes:\n${nodes.join("\n")}\nlinks:\n${links.join("\n")}\n`);
  const applied = neslink("apply", file, "--yes");
  expect(applied.stderr).toBe("");
  expect(applied.status).toBe(0);
  return { lab, file };
}

describe("a chain's graph, read from the kernel", () => {
  it("joins each link's ends as the file does, though its indexes repeat along the chain", () => {
    // Chained a-c-b-e-d: listed by name, the first end whose indexes fit a's is rarely c's.
    const chain = ["a", "c", "b", "e", "d"];
    const { lab, file } = labOf(
      chain.map((n) => `  ${n}: { ipv6: false }`),
      chain.slice(1).map((n, i) => `  - endpoints: ["${chain[i]}:right", "${n}:left"]`),
    );
    const expected = chain.slice(1).map((n, i) => [`${chain[i]}:right`, `${n}:left`].sort().join(" "));
    // What iproute2 says each right end's peer namespace is.
    for (const [i, n] of chain.slice(1).entries())
      expect(ip("-n", `${lab}-${chain[i]}`, "-o", "link", "show", "right")).toContain(`link-netns ${lab}-${n}`);
    for (const target of [lab, file]) {
      const graph = neslink("--json", "graph", target, "--format", "json");
      expect(graph.status).toBe(0);
      const edges = (JSON.parse(graph.stdout) as { edges: { a: { node: string; dev: string }; b: { node: string; dev: string } }[] }).edges;
      const pairs = edges.map((e) => [`${e.a.node}:${e.a.dev}`, `${e.b.node}:${e.b.dev}`].sort().join(" "));
      expect(pairs.sort()).toEqual(expected.sort());
    }
    const inspected = JSON.parse(neslink("--json", "inspect", lab).stdout) as {
      nodes: { name: string; links: { name: string; peerNetns: string | null }[] }[];
    }[];
    const peerOf = (node: string, iface: string) =>
      inspected[0]?.nodes.find((n) => n.name === node)?.links.find((i) => i.name === iface)?.peerNetns;
    for (const [i, n] of chain.slice(1).entries()) {
      expect(peerOf(chain[i] as string, "right")).toBe(`${lab}-${n}`);
      expect(peerOf(n, "left")).toBe(`${lab}-${chain[i]}`);
    }
    // The ids the kernel was asked to give stay inside the lab: the caller's namespace has none for its namespaces.
    expect(ip("netns", "list-id")).not.toContain(lab);
  });
});

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
