/**
 * Under a low descriptor limit the pool closes what it holds idle for other
 * namespaces and retries, rather than failing work with EMFILE. Each case is a
 * script started under `prlimit --nofile=64`, as a user's process would be.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("dl");
const NAMESPACES = 40;
const OPERATIONS = 200;
const core = new URL("../../dist/index.js", import.meta.url).href;

beforeAll(() => {
  for (let i = 0; i < NAMESPACES; i++) ip("netns", "add", `${prefix}${i}`);
});
afterAll(() => cleanup(prefix));

/**
 * Runs OPERATIONS link dumps spread over the namespaces, all at once, in a
 * process limited to 64 descriptors; `before` runs first (after the pool
 * has started). Returns how many failed and why.
 */
function underLimit(before: string): { ok: number; failed: string[] } {
  const script = `
    import { openSync } from "node:fs";
    import * as m from ${JSON.stringify(core)};
    await m.defaultPool().ready();
    ${before}
    const names = Array.from({ length: ${NAMESPACES} }, (_, i) => ${JSON.stringify(prefix)} + i);
    const r = await Promise.allSettled(Array.from({ length: ${OPERATIONS} }, (_, i) => m.nsDo(m.ns.name(names[i % names.length]), m.na.links())));
    const failed = r.filter((x) => x.status === "rejected").map((x) => x.reason.message);
    console.log(JSON.stringify({ ok: r.length - failed.length, failed: [...new Set(failed)] }));`;
  const r = spawnSync("prlimit", ["--nofile=64:64", process.execPath, "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

it("with the default bounds, sized from the limit", () => {
  expect(underLimit("")).toEqual({ ok: OPERATIONS, failed: [] });
});

it("when the caller takes descriptors after the pool sized its bounds: idle held ones are closed and the open retried", () => {
  // 30 more leave the two workers about 4 descriptors: two namespaces' worth at a time.
  const taken = `for (let i = 0; i < 30; i++) openSync("/dev/null", "r");`;
  expect(underLimit(taken)).toEqual({ ok: OPERATIONS, failed: [] });
});

it("with a per-worker bound far above what the limit allows", () => {
  expect(underLimit(`await m.configure({ maxSocketsPerWorker: 1024 }); await m.defaultPool().ready();`)).toEqual({
    ok: OPERATIONS,
    failed: [],
  });
});
