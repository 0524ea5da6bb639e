/**
 * An `exec` entry that ran and succeeded, whose record the apply then cannot write (the entry itself put a directory
 * in the record file's place): the entry is done (in the error's `done`, its output in `exec`), the failure is the
 * record's, of no change, and the node's entries after it are not attempted (the log they append to is empty). The
 * node is not marked ready (`ip -j -d link show lo` in its namespace).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("zv6");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterEach(() => cleanup(prefix));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

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
