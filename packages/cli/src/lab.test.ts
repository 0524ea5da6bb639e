import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import type { Terminal } from "./command.js";
import { fileArg, planText } from "./lab.js";

type Plan = Awaited<ReturnType<typeof topology.plan>>;

it("prints each change as one line, whatever it carries: a newline or a tab in it is escaped, not laid out", async () => {
  // A route's device is checked by load; a plan made by other means may still carry anything.
  const route = { to: "default", family: "inet", via: null, dev: "e\n+ netns x\tnot a change", metric: null, table: "main" };
  const plan = {
    topology: "lab",
    summary: { add: 1, change: 0, destroy: 0 },
    changes: [{ op: "create", object: "route", node: "a", netns: "lab-a", route }],
  } as unknown as Plan;
  expect(await planText(plan)).toBe(
    "  + route default dev e\\x0a+ netns x\\x09not a change in a\nPlan for lab: 1 to add, 0 to change, 0 to destroy.\n",
  );
});

const dir = mkdtempSync(join(tmpdir(), "neslink-lab-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("resolves FILE against the caller's directory (the agent's client's) and tells what is there, from one look", () => {
  writeFileSync(join(dir, "lab"), "name: x\n");
  execFileSync("mkfifo", [join(dir, "fifo")]);
  mkdirSync(join(dir, "sub"));
  const at = { cwd: dir } as Terminal;
  expect(["lab", "fifo", "sub", "missing", "-"].map((given) => fileArg(given, at))).toEqual([
    { given: "lab", path: join(dir, "lab"), kind: "file" },
    { given: "fifo", path: join(dir, "fifo"), kind: "fifo" },
    { given: "sub", path: join(dir, "sub"), kind: "other" },
    { given: "missing", path: join(dir, "missing"), kind: "none" },
    { given: "-", path: join(dir, "-"), kind: "stdin" },
  ]);
  // Without the agent, the process's own directory: the path as given.
  expect(fileArg(join(dir, "lab"), {} as Terminal)).toEqual({ given: join(dir, "lab"), path: join(dir, "lab"), kind: "file" });
});
