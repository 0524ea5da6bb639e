/**
 * The record of a lab's namespace ids (ns-record.ts): destroy unmounts what
 * the record vouches for without reading it, and reads everything else as it
 * always did, so a lost, stale or untrusted record never costs a namespace
 * that is not the lab's.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, runIsolated, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tr");
const LAB_DIR = "/run/neslink/topologies";
const CORE = new URL("../../dist/index.js", import.meta.url).pathname;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** NS_GET_ID of the namespace at `path`, read apart from neslink. */
function nsIdOf(path: string): string {
  return execFileSync(
    "python3",
    [
      "-c",
      "import fcntl,os,struct,sys;fd=os.open(sys.argv[1],os.O_RDONLY);print(struct.unpack('Q',fcntl.ioctl(fd,0x8008b70d,bytes(8)))[0])",
      path,
    ],
    { encoding: "utf8" },
  ).trim();
}

const recordOf = (lab: string) => JSON.parse(readFileSync(`${LAB_DIR}/${lab}/.ns-record.json`, "utf8"));

/**
 * Applies and destroys labs in a new network and mount namespace of their own (empty tmpfs on /run/netns and
 * /run/neslink), where nothing but them is in the mount dir: what each destroy sent can be counted exactly.
 */
const ISOLATED = `
const { execFileSync } = await import("node:child_process");
const { readFileSync, rmSync } = await import("node:fs");
const { topology, defaultPool, closeDefaultPool } = await import(process.argv[1]);
const ip = (...args) => execFileSync("ip", args, { encoding: "utf8" });
const sent = () => ({ ...defaultPool().stats().requests });
async function destroyCounted(lab) {
  const before = sent();
  const { removed } = await topology.destroy(lab);
  const after = sent();
  return {
    removed: removed.map((r) => r.node).sort(),
    dumps: after.getLinkDump - before.getLinkDump,
    delLinks: after.delLink - before.delLink,
    left: ip("netns", "list").trim(),
    mounts: readFileSync("/proc/self/mountinfo", "utf8").split("\\n").filter((l) => l.split(" ")[4]?.startsWith("/run/netns/lab-")).length,
  };
}
const plain = topology.load('name: lab\\nnodes:\\n  a: {}\\n  b: {}\\n  c: {}\\nlinks:\\n  - endpoints: ["a:e0", "b:e0"]\\n');
ip("netns", "add", "other");
const out = {};
await topology.apply(plain);
out.recorded = await destroyCounted(plain);
await topology.apply(plain);
rmSync("/run/neslink/topologies/lab/.ns-record.json");
out.unrecorded = await destroyCounted(plain);
await topology.apply(plain);
rmSync("/run/neslink/topologies/lab/.ns-record.json");
// A re-apply that changes nothing reads the ids its record lacks, and a re-apply with the record reads none and keeps it.
await topology.apply(plain);
await topology.apply(plain);
out.relearned = await destroyCounted(plain);
ip("link", "add", "up0", "type", "veth", "peer", "name", "up0b");
const bound = topology.load('name: lab\\nnodes:\\n  a:\\n    interfaces:\\n      mv0: { kind: macvlan, parent: up0, mode: bridge }\\n  b: {}\\n');
await topology.apply(bound);
out.hostBound = JSON.parse(readFileSync("/run/neslink/topologies/lab/.ns-record.json", "utf8")).namespaces;
out.bound = await destroyCounted(bound);
out.upperLeft = execFileSync("ip", ["-j", "-d", "link", "show"], { encoding: "utf8" }).includes("macvlan");
await closeDefaultPool();
console.log(JSON.stringify(out));
`;

function runLabs(): Record<string, unknown> {
  const r = runIsolated(["/run/netns", "/run/neslink"], [process.execPath, "--input-type=module", "-e", ISOLATED, CORE], 60_000);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("destroy with the record of the lab's namespace ids", () => {
  it("unmounts the recorded namespaces without reading them, reads all without a record, and a node with host links still has them deleted first", () => {
    const out = runLabs();
    // The host's own links, read for strays: the only dump. The foreign namespace "other" is read (it is on no record).
    expect(out.recorded).toEqual({ removed: ["a", "b", "c"], dumps: 2, delLinks: 0, left: "other", mounts: 0 });
    // No record: each namespace read for its marker, as before there were records; the same three removed.
    expect(out.unrecorded).toEqual({ removed: ["a", "b", "c"], dumps: 5, delLinks: 0, left: "other", mounts: 0 });
    // The record lost, then an unchanged lab applied again: the record is whole again, and destroy reads none of the lab.
    expect(out.relearned).toEqual({ removed: ["a", "b", "c"], dumps: 2, delLinks: 0, left: "other", mounts: 0 });
    expect(out.hostBound).toMatchObject({ "lab-a": { node: "a", hostBound: true }, "lab-b": { node: "b", hostBound: false } });
    // Node a (a macvlan on a host link) is read and its macvlan deleted before the unmount; b is not read.
    expect(out.bound).toEqual({ removed: ["a", "b"], dumps: 3, delLinks: 1, left: "other", mounts: 0 });
    expect(out.upperLeft).toBe(false);
  });

  it("a lab namespace deleted by hand and a foreign one made under its name: destroy leaves the foreign one", async () => {
    const name = `${prefix}c`;
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n  b: {}\n`);
    await topology.apply(lab);
    expect(Object.keys(recordOf(name).namespaces).sort()).toEqual([`${name}-a`, `${name}-b`]);
    ip("netns", "del", `${name}-a`);
    ip("netns", "add", `${name}-a`);
    const { removed } = await topology.destroy(lab);
    expect(removed).toEqual([{ node: "b", netns: `${name}-b` }]);
    expect(netnsList(name)).toEqual([`${name}-a`]);
    ip("netns", "del", `${name}-a`);
  });

  it("a record someone else could have written is not trusted: a foreign namespace it lists as the lab's is left alone", async () => {
    const name = `${prefix}f`;
    const foreign = `${name}-x`;
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n`);
    await topology.apply(lab);
    ip("netns", "add", foreign);
    const record = recordOf(name);
    record.namespaces[foreign] = { node: "x", id: nsIdOf(`/run/netns/${foreign}`), hostBound: false };
    const path = `${LAB_DIR}/${name}/.ns-record.json`;
    writeFileSync(path, JSON.stringify(record));
    // Writable by others: anyone could have put the foreign id there.
    chmodSync(path, 0o666);
    const { removed } = await topology.destroy(lab);
    expect(removed).toEqual([{ node: "a", netns: `${name}-a` }]);
    expect(netnsList(name)).toEqual([foreign]);
    expect(existsSync(`${LAB_DIR}/${name}`)).toBe(false);
    ip("netns", "del", foreign);
  });

  it("another lab's recorded namespace is left alone, and its own destroy then removes it", async () => {
    const one = `${prefix}o`;
    const two = `${prefix}o-t`;
    const labOne = topology.load(`name: ${one}\nnodes:\n  a: {}\n`);
    // Its default names (<one>-t-a) begin with lab one's: only its marker, or its record, tells them apart.
    const labTwo = topology.load(`name: ${two}\nnodes:\n  a: {}\n`);
    await topology.apply(labOne);
    await topology.apply(labTwo);
    expect(recordOf(two).namespaces[`${two}-a`].id).toBe(nsIdOf(`/run/netns/${two}-a`));
    expect((await topology.destroy(one)).removed).toEqual([{ node: "a", netns: `${one}-a` }]);
    expect(netnsList(one)).toEqual([`${two}-a`]);
    expect((await topology.destroy(labTwo)).removed).toEqual([{ node: "a", netns: `${two}-a` }]);
    expect(netnsList(one)).toEqual([]);
  });
});
