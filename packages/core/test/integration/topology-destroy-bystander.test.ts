/**
 * destroy ends the processes inside the namespaces it deleted, found by
 * their namespace's nsfs inode in /proc. Once a deleted namespace with no
 * process in it is freed, the kernel gives its inode to the next namespace
 * anyone makes: destroy killed the processes of such a stranger's namespace
 * (a container, another tool's `unshare -n`) made while it ran. Checked with
 * /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readlinkSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("db");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const inodeOf = (pid: number) => Number(/^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);

/** A `sleep` in a network namespace of its own, once it runs there (unshare has made the namespace and exec'd). */
async function bystander(): Promise<{ child: ChildProcess; inode: number }> {
  const child = spawn("unshare", ["-n", "sleep", "600"], { stdio: "ignore" });
  const pid = child.pid as number;
  const running = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8") === "sleep\u0000600\u0000";
    } catch {
      return false;
    }
  };
  while (!running()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`unshare -n ended: ${child.exitCode ?? child.signalCode}`);
    await sleep(5);
  }
  return { child, inode: inodeOf(pid) };
}

/** One destroy of a lab whose node b's namespace is freed while bystanders are made; whether one took b's inode, and those that ended. */
async function destroyAmongBystanders(name: string): Promise<{ took: boolean; ended: string[] }> {
  // Node a's program shrugs off SIGTERM: destroy keeps looking for processes in its deleted namespaces for its grace
  // period. Node b has no process: its namespace is freed once unmounted, and its inode is free for the next one made.
  await topology.apply(topology.load(`name: ${name}\nnodes:\n  a: { processes: [[sh, -c, "trap '' TERM; exec sleep 1000"]] }\n  b: {}\n`));
  const freed = statSync(`/run/netns/${name}-b`).ino;
  const bystanders: { child: ChildProcess; inode: number }[] = [];
  try {
    let destroyed = false;
    const destroying = topology.destroy(name).finally(() => {
      destroyed = true;
    });
    // Namespaces made one after another take the lowest free inodes: once b's is free, one of them takes it.
    while (!destroyed && !bystanders.some((b) => b.inode === freed)) bystanders.push(await bystander());
    await destroying;
    const ended = bystanders.filter((b) => b.child.exitCode !== null || b.child.signalCode !== null);
    return {
      took: bystanders.some((b) => b.inode === freed),
      ended: ended.map((b) => `${b.child.pid} (net:[${b.inode}]): ${b.child.signalCode ?? b.child.exitCode}`),
    };
  } finally {
    for (const b of bystanders) b.child.kill("SIGKILL");
  }
}

it("destroy leaves alone the processes of a namespace made meanwhile with the inode of a node it deleted", async () => {
  // Anything else making a namespace on this machine may take the freed inode first: then the round proves nothing, and
  // another is run.
  let took = false;
  for (let round = 0; round < 5 && !took; round++) {
    const outcome = await destroyAmongBystanders(`${prefix}l${round}`);
    expect(outcome.ended).toEqual([]);
    took = outcome.took;
  }
  expect(took, "in 5 rounds, no namespace made here took b's inode while destroy ran").toBe(true);
});
