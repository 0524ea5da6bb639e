/**
 * An `exec` entry of a lab run again, or not on record:
 *
 * - One that ran and succeeded, whose record the apply then cannot write (the entry itself put a directory in the
 *   record file's place): the entry is done (in the error's `done`, its output in `exec`), the failure is the
 *   record's, of no change, and the node's entries after it are not attempted (the log they append to is empty). The
 *   node is not marked ready (`ip -j -d link show lo` in its namespace).
 * - A lab applied by a neslink that ran an entry added to a node that had run its commands in a leaf named
 *   `added-<digest>-<n>` (before each entry had an `entry-…` leaf), killed while that entry ran: the entry is not on
 *   record, and what it started runs on in that leaf. The next apply runs the entry again (in its `entry-…` leaf): it
 *   ends what the stale leaf holds first and removes it, so that what the entry starts runs once. Made here as that
 *   neslink left it: the leaf made by hand, a process of the node's namespace put in it (`ip netns pids` shows it).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, ipJson, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("zv6");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterEach(() => {
  cleanup(prefix);
  rmSync(`${dir}/log`, { force: true });
});
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

it("the entry that ran is done; the record's failure is said as such, and the entries after it are not attempted", async () => {
  const name = `${prefix}r`;
  const record = `/run/neslink/topologies/${name}/.exec-record.json`;
  // Keeps the record as written before it ran, and leaves a directory in its place: the rename of the next write fails.
  const breaks = ["sh", "-c", `touch ${dir}/ran && mv ${record} ${dir}/kept && mkdir ${record}`];
  const later = ["sh", "-c", `echo later >> ${dir}/log`];
  const lab = topology.load({ name, nodes: { a: { exec: [breaks, later] } } });
  const error = await topology.apply(lab).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(topology.TopologyApplyError);
  const { done, failures, exec, message } = error as topology.TopologyApplyError;
  const [ran, after] = [breaks, later].map((argv) => `+ exec in a: ${topology.commandLine(argv)}`);
  expect(done.map(topology.describeChange)).toContain(ran);
  expect(exec.map((e) => [e.argv, e.status])).toEqual([[breaks, 0]]);
  expect(failures).toEqual([
    {
      changes: [],
      notAttempted: [after],
      error: expect.objectContaining({
        code: "EISDIR",
        message: expect.stringContaining(`node a: ${topology.commandLine(breaks)} ran, but the record does not say so`),
      }),
    },
  ]);
  expect(message).toContain("(2 changes made; 0 failed, 1 not attempted;");
  expect(existsSync(`${dir}/ran`)).toBe(true);
  expect(existsSync(`${dir}/log`) ? readFileSync(`${dir}/log`, "utf8") : "").toBe("");
  const [lo] = ipJson<{ ifalias?: string }[]>("-n", `${name}-a`, "link", "show", "lo");
  expect(lo?.ifalias).toBe(`neslink:${name}:a`);
  rmSync(record, { recursive: true });
});

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
