import { execFileSync, spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { ActionError, na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix();
const target = `${prefix}d`;
const dropCaps = new URL("../fixtures/drop-caps.mjs", import.meta.url).href;
const pool = new Pool({ size: 1 });

beforeAll(() => ip("netns", "add", target));
afterAll(async () => {
  await pool.close();
  cleanup(prefix);
});

it("a thread that cannot get back is reported, never reused, and replaced", async () => {
  await nsDoOn(pool, ns.now(), na.links());
  const [before] = pool.workerTids;
  const r = await nsDoOn(pool, ns.name(target), na.custom(dropCaps, "dropSysAdmin"));
  expect(r.results).toEqual(["dropped"]);
  expect(r.returned).toBe(false);
  // Work sent right after still runs, on a fresh thread in the right namespace.
  const next = await nsDoOn(pool, ns.now(), na.handle());
  expect(next.returned).toBe(true);
  expect(`net:[${next.results[0].ino}]`).toBe(readlinkSync("/proc/self/ns/net"));
  next.results[0].close();
  expect(pool.replacedWorkers).toBe(1);
  expect(pool.workerTids).not.toContain(before);
});

it("an action that fails and leaves the thread stranded says both", async () => {
  const err = await nsDoOn(pool, ns.name(target), na.custom(dropCaps, "dropSysAdmin"), na.getLink({ kind: "index", index: 999999 })).catch(
    (e) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  expect(err.actionIndex).toBe(1);
  expect(err.returned).toBe(false);
  expect(pool.replacedWorkers).toBe(2);
});

it("mustNsDo makes it fatal: the process dies with the NamespaceReturnError", () => {
  const script = `
    import { mustNsDo, ns, na, defaultPool } from "@neslink/core";
    await mustNsDo(ns.name(${JSON.stringify(target)}), na.custom(${JSON.stringify(dropCaps)}, "dropSysAdmin")).catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    console.log("still alive");
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    cwd: new URL("..", import.meta.url).pathname,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("ERR_NS_RETURN");
  expect(r.stdout).not.toContain("still alive");
  // And the namespace is untouched.
  expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).toContain(target);
});
