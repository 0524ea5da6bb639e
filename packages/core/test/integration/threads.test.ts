import { spawnSync } from "node:child_process";
import { readdirSync, readlinkSync, rmSync } from "node:fs";
import { na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, gate, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix();
const names = Array.from({ length: 50 }, (_, i) => `${prefix}${i}`);
const pool = new Pool({ size: 4 });

beforeAll(() => {
  for (const n of names) ip("netns", "add", n);
});

afterAll(async () => {
  await pool.close();
  cleanup(prefix);
});

/** Every thread of this process and the namespace it is in. */
function threadNamespaces(): Map<number, string> {
  const seen = new Map<number, string>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      seen.set(Number(tid), readlinkSync(`/proc/self/task/${tid}/ns/net`));
    } catch {
      // the thread ended between readdir and readlink
    }
  }
  return seen;
}

it("only workers ever leave the main namespace, and only while they act", async () => {
  await pool.ready();
  const home = readlinkSync("/proc/thread-self/ns/net");
  const offenders = new Set<string>();
  let samples = 0;
  let workersSeenAway = 0;
  const sample = () => {
    const workers = new Set(pool.workerTids);
    for (const [tid, netns] of threadNamespaces()) {
      if (netns === home) continue;
      if (workers.has(tid)) workersSeenAway++;
      else offenders.add(`thread ${tid} in ${netns}`);
    }
    samples++;
  };
  const sampler = setInterval(sample, 1);
  // 500 concurrent operations across 50 namespaces; some use libuv's pool from inside (exec spawns, dns).
  await Promise.all(
    Array.from({ length: 500 }, (_, i) => {
      const target = ns.name(names[i % names.length] as string);
      return i % 50 === 0
        ? nsDoOn(pool, target, na.exec(["true"]))
        : nsDoOn(pool, target, na.links(), na.handle()).then((r) => r.results[1].close());
    }),
  );
  clearInterval(sampler);
  sample();
  expect(samples).toBeGreaterThan(10);
  expect([...offenders]).toEqual([]);
  // After the work, every thread (workers too) is home again.
  for (const [, netns] of threadNamespaces()) expect(netns).toBe(home);
  // The sampler did catch workers inside namespaces, so it could have caught others.
  expect(workersSeenAway).toBeGreaterThan(0);
});

it("a script started with V8 or process-wide options (which a worker refuses) still gets its pool", () => {
  const script = `
    import { nsDo, ns, na, closeDefaultPool } from "@neslink/core";
    const { results: [links] } = await nsDo(ns.name(${JSON.stringify(names[0])}), na.links());
    console.log(JSON.stringify(links.map((l) => l.name)));
    await closeDefaultPool();
  `;
  const r = spawnSync(
    process.execPath,
    ["--max-old-space-size=512", "--stack-trace-limit=30", "--no-warnings", "--input-type=module", "-e", script],
    { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname },
  );
  expect(r.stderr).toBe("");
  const seen = ipJson<{ ifname: string }[]>("-n", names[0] as string, "link", "show").map((l) => l.ifname);
  expect(JSON.parse(r.stdout)).toEqual(seen);
});

it("a reply does not wait for a process that a later task on the same worker runs", async () => {
  const single = new Pool({ size: 1 });
  const target = names[1] as string;
  try {
    let slowDone = false;
    const quick = nsDoOn(single, ns.name(target), na.links());
    // Held until the test opens its door (a second of sleep was no bound a loaded machine's first reply kept within).
    const door = `/tmp/${target}-door`;
    const slow = nsDoOn(single, ns.name(target), na.exec(gate.argv(door))).then(() => {
      slowDone = true;
    });
    const {
      results: [links],
    } = await quick;
    // Sent together, the two replies would settle in the same turn.
    await new Promise((r) => setTimeout(r, 50));
    expect(slowDone).toBe(false);
    expect(links.map((l) => l.name)).toEqual(ipJson<{ ifname: string }[]>("-n", target, "link", "show").map((l) => l.ifname));
    gate.open(door);
    await slow;
  } finally {
    rmSync(`/tmp/${target}-door`, { force: true });
    await single.close();
  }
});
