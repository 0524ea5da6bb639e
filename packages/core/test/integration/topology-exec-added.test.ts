/**
 * `exec` entries added to the file of a lab that exists: planned, run once in
 * the file's order, recorded (in the lab's directory under /run), and never
 * run again; an entry removed is only forgotten; a missing record runs
 * nothing. Effects are checked inside the nodes with iproute2 (`ip netns
 * exec`) and in files the commands write.
 */
import { closeDefaultPool, defaultPool, topology } from "@neslink/core";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix, withLab } from "./kernel.js";

const prefix = uniquePrefix("te");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

const LAB_DIR = "/run/neslink/topologies";
const log = (file: string) => (existsSync(`${dir}/${file}`) ? readFileSync(`${dir}/${file}`, "utf8") : "");
const forwarding = (netns: string) => ip("netns", "exec", netns, "cat", "/proc/sys/net/ipv4/ip_forward").trim();
/** The lab's file with node a's and b's exec lists. */
const file = (a: string[], b: string[] = []) =>
  topology.load({ name: prefix, nodes: { a: { exec: a }, b: { exec: b } }, links: [{ endpoints: ["a:eth0", "b:eth0"] }] });
/** A plan's exec lines. */
const planned = async (t: ReturnType<typeof file>) => (await topology.plan(t)).changes.map(topology.describeChange);
/** Whether a process whose command line holds `mark` runs. */
const running = (mark: string) =>
  readdirSync("/proc").some((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, "utf8").includes(mark);
    } catch {
      return false;
    }
  });

describe("exec entries added to a lab that exists", () => {
  it("are planned, run once in the file's order after the links are up, recorded, and never run again", async () => {
    await withLab(prefix, async (name) => {
      // A sleep this test alone runs (its length says whose), started in the background by the node's first commands.
      const daemon = `300.${process.pid}`;
      const first = [`echo first >> ${dir}/a`, `sleep ${daemon} &`];
      await topology.apply(file(first));
      expect(log("a")).toBe("first\n");
      expect(existsSync(`${LAB_DIR}/${name}/.exec-record.json`)).toBe(true);

      const added = [
        ...first,
        "sysctl -w net.ipv4.ip_forward=1",
        // The links are up when it runs: it writes what the kernel says of eth0.
        `cat /sys/class/net/eth0/operstate >> ${dir}/a`,
      ];
      const more = file(added, [`echo b >> ${dir}/b`]);
      expect(await planned(more)).toEqual([
        "+ exec in a: /bin/sh -c 'sysctl -w net.ipv4.ip_forward=1' (added since the node's commands ran)",
        `+ exec in a: /bin/sh -c 'cat /sys/class/net/eth0/operstate >> ${dir}/a' (added since the node's commands ran)`,
        `+ exec in b: /bin/sh -c 'echo b >> ${dir}/b' (added since the node's commands ran)`,
      ]);
      expect(forwarding(`${name}-a`)).toBe("0");

      const result = await topology.apply(more);
      expect(result.summary).toEqual({ add: 3, change: 0, destroy: 0 });
      expect(result.exec.filter((e) => e.node === "a").map((e) => [e.argv[2], e.status])).toEqual([
        ["sysctl -w net.ipv4.ip_forward=1", 0],
        [`cat /sys/class/net/eth0/operstate >> ${dir}/a`, 0],
      ]);
      expect(forwarding(`${name}-a`)).toBe("1");
      // Not run again: the first entry wrote once.
      expect(log("a")).toBe("first\nup\n");
      expect(log("b")).toBe("b\n");
      // What the node's first commands started runs on: the added ones ran beside it, not in its place.
      expect(running(daemon)).toBe(true);

      // Unchanged: nothing planned, nothing run, no request that changes anything.
      const before = defaultPool().stats();
      expect(await planned(more)).toEqual([]);
      expect((await topology.apply(more)).changes).toEqual([]);
      expect(defaultPool().stats().writes).toBe(before.writes);
      expect(log("a")).toBe("first\nup\n");
    });
    // destroy removes the record with the lab's directory.
    expect(existsSync(`${LAB_DIR}/${prefix}`)).toBe(false);
  });

  it("an entry changed runs as new; one removed is forgotten (nothing undone); with no record nothing runs, and it is said", async () => {
    const name = `${prefix}r`;
    await withLab(name, async () => {
      const lab = (a: string[]) => topology.load({ name, nodes: { a: { exec: a } } });
      await topology.apply(lab([`echo one >> ${dir}/r`, `echo two >> ${dir}/r`]));
      const changed = lab([`echo one >> ${dir}/r`, `echo TWO >> ${dir}/r`]);
      expect(await planned(changed)).toEqual([
        `- exec in a: /bin/sh -c 'echo two >> ${dir}/r' (gone from the file: forgotten; nothing it did is undone)`,
        `+ exec in a: /bin/sh -c 'echo TWO >> ${dir}/r' (added since the node's commands ran)`,
      ]);
      expect((await topology.apply(changed)).summary).toEqual({ add: 1, change: 0, destroy: 1 });
      expect(log("r")).toBe("one\ntwo\nTWO\n");

      const removed = lab([`echo one >> ${dir}/r`]);
      expect((await topology.apply(removed)).exec).toEqual([]);
      expect(await planned(removed)).toEqual([]);

      // A lab made before records were kept, or whose record was removed: nothing runs again, and the plan says so.
      rmSync(`${LAB_DIR}/${name}/.exec-record.json`);
      const again = lab([`echo one >> ${dir}/r`, `echo three >> ${dir}/r`]);
      expect(await planned(again)).toEqual([
        `~ exec in a: /bin/sh -c 'echo one >> ${dir}/r' (no record of which commands ran: taken as run, not run)`,
        `~ exec in a: /bin/sh -c 'echo three >> ${dir}/r' (no record of which commands ran: taken as run, not run)`,
      ]);
      expect((await topology.apply(again)).exec).toEqual([]);
      expect(log("r")).toBe("one\ntwo\nTWO\n");
      expect(await planned(again)).toEqual([]);
    });
    expect(existsSync(`${LAB_DIR}/${name}`)).toBe(false);
  });
});
