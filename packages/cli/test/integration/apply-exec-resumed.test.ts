/**
 * `neslink --json apply` of a new node whose second `exec` entry fails once: the error's `done` has the entry that
 * ran, `failures[0].changes` the failed one, `notAttempted` the one after it; the next apply runs only those two (the
 * mkdir, run again, would fail with EEXIST) and the lab converges. The record is read from the lab's directory, the
 * marker from the kernel (`ip -j -d link show lo` in the node).
 */
import { topology } from "@neslink/core";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { recordedOfA, resumedExec } from "../../../core/test/integration/exec-resumed-lab.js";
import { neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-apply-exec-resumed-`);
const prefix = uniquePrefix("aer");

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

const { mkdir: MKDIR, failsOnce: FAILS_ONCE, later: LATER, all: EXEC } = resumedExec(dir);
const line = (argv: string[]) => `+ exec in a: ${topology.commandLine(argv)}`;
const loAlias = (netns: string) => ipJson<{ ifalias?: string }[]>("-n", netns, "link", "show", "lo")[0]?.ifalias;

it("--json: the entries that ran are done, the failed one failed, those after it not attempted; the next apply runs only those", () => {
  const name = `${prefix}j`;
  const file = `${dir}/${name}.yaml`;
  writeFileSync(file, `name: ${name}\nnodes:\n  a:\n    exec: ${JSON.stringify(EXEC)}\n`);

  const failed = neslink("--json", "apply", file, "--yes");
  expect(failed.status).toBe(1);
  const { error } = JSON.parse(failed.stdout);
  expect(error.code).toBe("ERR_TOPOLOGY_APPLY");
  expect(error.message).toContain("apply again to continue");
  expect(error.done.filter((c: { object: string }) => c.object === "exec").map((c: { argv: string[] }) => c.argv)).toEqual([MKDIR]);
  expect(error.failures).toEqual([
    { changes: [line(FAILS_ONCE)], notAttempted: [line(LATER)], error: expect.objectContaining({ code: "ERR_EXEC_FAILED" }) },
  ]);
  expect(recordedOfA(name)).toEqual([MKDIR]);
  expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a`);

  const again = neslink("--json", "apply", file, "--yes");
  expect(again.stderr).toBe("");
  expect(again.status).toBe(0);
  expect(JSON.parse(again.stdout).exec.map((e: { argv: string[]; status: number }) => [e.argv, e.status])).toEqual([
    [FAILS_ONCE, 0],
    [LATER, 0],
  ]);
  expect(recordedOfA(name)).toEqual(EXEC);
  expect(loAlias(`${name}-a`)).toBe(`neslink:${name}:a ready`);
  expect(existsSync(`${dir}/once`)).toBe(true);
  expect(readFileSync(`${dir}/log`, "utf8")).toBe("later\n");

  // Converged: nothing left to run.
  const third = neslink("--json", "apply", file, "--yes");
  expect(third.status).toBe(0);
  expect(JSON.parse(third.stdout).exec).toEqual([]);
  expect(neslink("destroy", name).status).toBe(0);
});
