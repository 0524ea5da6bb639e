/**
 * What destroy reports of the lab's programs it ends through the lab's cgroup
 * alone: those in none of the namespaces it removed or the lab's record
 * names. It ended them and said nothing of it (a destroy that removed no
 * namespace said there was nothing to do).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix, until } from "./kernel.js";

const prefix = uniquePrefix("dp");
const LOCKS = "/run/neslink/topologies";

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** Whether `pid` runs (a zombie has ended: its parent, which is not this process, reaps it when it will). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}

/** Live processes in the named namespace, as iproute2 lists them. */
const pidsIn = (netns: string) => ip("netns", "pids", netns).split("\n").filter(Boolean).map(Number).filter(alive);

/** The pids running `command` (its /proc cmdline) in the lab's cgroup tree. */
const labPids = (lab: string, command: string) =>
  readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(`::/neslink/${lab}/`) &&
          readFileSync(`/proc/${pid}/cmdline`, "utf8") === command
        );
      } catch {
        return false; // gone since the listing
      }
    });

it("lists a program that went into a namespace the lab's record does not list, ended with the lab; not one forking in its node", async () => {
  const lab = `${prefix}a`;
  const other = `${prefix}-other`;
  ip("netns", "add", other);
  // `away` leaves its node for a namespace that is not the lab's; `busy` starts a process in its node every 10 ms (one
  // started between destroy's looks must not be taken for one outside).
  const file = [
    `name: ${lab}`,
    "nodes:",
    `  a: { processes: [{ name: away, command: [ip, netns, exec, ${other}, sleep, "1000"] }] }`,
    `  b: { processes: [{ name: busy, command: [sh, -c, "while :; do sleep 0.01; done"] }] }`,
    "",
  ].join("\n");
  try {
    await topology.apply(topology.load(file));
    expect(await until(() => pidsIn(other).length === 1, 10_000)).toBe(true);
    const [away] = pidsIn(other);
    const result = await topology.destroy(lab);
    expect(result.removed.sort((x, y) => x.node.localeCompare(y.node))).toEqual([
      { node: "a", netns: `${lab}-a` },
      { node: "b", netns: `${lab}-b` },
    ]);
    expect(result.leftovers).toEqual({
      namespaces: [],
      entries: [],
      links: [],
      record: false,
      programs: [{ node: "a", program: "away", processes: 1 }],
    });
    // Ended; the namespace it was in is not the lab's, and stays.
    expect(alive(away as number)).toBe(false);
    expect(pidsIn(other)).toEqual([]);
    expect(netnsList(other)).toEqual([other]);
  } finally {
    await topology.destroy(lab);
  }
});

it("lists a program whose node was deleted by hand and whose record was lost: destroy removed no namespace, and said nothing", async () => {
  const lab = `${prefix}b`;
  await topology.apply(topology.load(`name: ${lab}\nnodes:\n  a: { processes: [[sleep, "1000"]] }\n`));
  try {
    expect(await until(() => labPids(lab, "sleep\u00001000\u0000").length === 1, 10_000)).toBe(true);
    const [pid] = labPids(lab, "sleep\u00001000\u0000");
    ip("netns", "del", `${lab}-a`);
    rmSync(`${LOCKS}/${lab}/.ns-record.json`);
    const result = await topology.destroy(lab);
    expect(result.removed).toEqual([]);
    expect(result.leftovers).toEqual({
      namespaces: [],
      entries: [],
      links: [],
      record: true,
      programs: [{ node: "a", program: "sleep", processes: 1 }],
    });
    expect(alive(pid as number)).toBe(false);
  } finally {
    await topology.destroy(lab);
  }
});
