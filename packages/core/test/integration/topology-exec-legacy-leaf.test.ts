/**
 * A lab applied by a neslink that ran an `exec` entry added to a node that had run its commands in a leaf named
 * `added-<digest>-<n>` (before each entry had an `entry-…` leaf), killed while that entry ran: the entry is not on
 * record, and what it started runs on in that leaf. The next apply runs the entry again (in its `entry-…` leaf): it
 * ends what the stale leaf holds first and removes it, so that what the entry starts runs once. Made here as that
 * neslink left it: the leaf made by hand, a process of the node's namespace put in it (`ip netns pids` shows it).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("zv6");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterEach(() => cleanup(prefix));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

/** Where this process sees cgroup v2. */
const cgroupRoot = () =>
  (
    readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .find((l) => l.split(" - ")[1]?.startsWith("cgroup2 ")) ?? ""
  ).split(" ")[4] as string;

/** The pids `ip netns pids` lists in `netns`. */
const pidsIn = (netns: string) => ip("netns", "pids", netns).trim().split("\n").filter(Boolean).map(Number);

it("ends what a stale added-… leaf of the entry holds, and removes it, before it runs the entry again", async () => {
  const name = `${prefix}l`;
  const netns = `${name}-a`;
  const first = `echo first >> ${dir}/log`;
  const added = `echo added >> ${dir}/log`;
  await topology.apply(topology.load({ name, nodes: { a: { exec: [first] } } }));
  const argv = ["/bin/sh", "-c", added];
  const digest = createHash("sha256").update(JSON.stringify(argv)).digest("hex").slice(0, 12);
  const stale = `${cgroupRoot()}/neslink/${name}/node-a/exec/added-${digest}-0`;
  mkdirSync(stale);
  // What the killed entry started, in the node's namespace and the stale leaf.
  // Joined before `ip netns exec`, whose mount namespace has no cgroup2 at that path.
  const child = spawn("sh", ["-c", `echo $$ > ${stale}/cgroup.procs && exec ip netns exec ${netns} sleep 1000.${process.pid}4`], {
    stdio: "ignore",
  });
  expect(await until(() => readFileSync(`${stale}/cgroup.procs`, "utf8").trim() !== "" && pidsIn(netns).length > 0, FAIL_AFTER_MS)).toBe(
    true,
  );
  const left = pidsIn(netns);

  const result = await topology.apply(topology.load({ name, nodes: { a: { exec: [first, added] } } }));
  expect(result.exec.map((e) => [e.argv, e.status])).toEqual([[argv, 0]]);
  expect(readFileSync(`${dir}/log`, "utf8")).toBe("first\nadded\n");
  expect(existsSync(stale)).toBe(false);
  expect(pidsIn(netns).filter((pid) => left.includes(pid))).toEqual([]);
  // `ip netns exec` became the sleep: it was ended.
  expect(await until(() => child.exitCode !== null || child.signalCode !== null, FAIL_AFTER_MS)).toBe(true);
});
