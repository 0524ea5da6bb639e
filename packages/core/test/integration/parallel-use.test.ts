/**
 * Parallel and interrupted use, as a test rig drives core: one Promise.all
 * mixing pool calls (options, custom actions) and calling-thread calls
 * (linkDo without options, nsDoHere, readLinks) across 50 namespaces, the
 * same link raced from both paths, namespaces deleted while calls into them
 * are in flight. After each: every thread of the process in its own
 * namespace, no descriptor left, the kernel's state read with `ip -j -d`.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { addNamed, closeDefaultPool, la, linkDo, lp, na, ns, nsDo, nsDoHere, readLinks, removeNamed, topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  cleanup,
  fdCount,
  heldNamespaceInodes,
  inodeOf,
  ip,
  ipJson,
  netnsList,
  socketNamespaceInodes,
  uniquePrefix,
  vethsIn,
  FAIL_AFTER_MS,
} from "./kernel.js";

const prefix = uniquePrefix("pu");
const LAB_FILE = `${tmpdir()}/${prefix}.yaml`;
const home = readlinkSync("/proc/thread-self/ns/net");

afterEach(async () => {
  // Each test starts from no pool: what it holds afterwards is its own.
  await closeDefaultPool();
  cleanup(prefix);
});
afterAll(() => rmSync(LAB_FILE, { force: true }));

/** Threads of this process that are not in its own namespace (tid and where). */
function threadsAway(): string[] {
  const away: string[] = [];
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const where = readlinkSync(`/proc/self/task/${tid}/ns/net`);
      if (where !== home) away.push(`${tid} ${where}`);
    } catch {
      // ended between readdir and readlink
    }
  }
  return away;
}

/** What each call gave: its error's code, or "ok". */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (err: { code?: string }) => err.code ?? `untyped: ${err}`,
  );

describe("one Promise.all over 50 namespaces, pool and calling thread mixed", () => {
  it("every call does its work or fails typed; a raced name is made once, whole; threads home, no descriptor left", async () => {
    const fds = fdCount();
    const names = Array.from({ length: 50 }, (_, i) => `${prefix}${i}`);
    await Promise.all(names.map((n, i) => (i % 2 ? addNamed(n) : nsDo(ns.createNamed(n)))));
    const here: Promise<string>[] = [];
    const pool: Promise<string>[] = [];
    const race: [Promise<string>, Promise<string>][] = [];
    for (const [i, a] of names.entries()) {
      const b = ns.name(names[(i + 1) % names.length] as string);
      here.push(
        outcome(linkDo(ns.name(a), lp.veth(`h${i}`, { name: `hp${i}`, ns: b }), la.addAddr(`10.${i}.0.1/24`), la.up())),
        outcome(readLinks(b)),
        outcome(nsDoHere(ns.name(a), na.routes(4))),
      );
      pool.push(
        outcome(linkDo(ns.name(a), lp.veth(`p${i}`, { name: `pp${i}`, ns: b }), la.up(), { timeoutMs: 20_000 })),
        outcome(nsDo(ns.name(a), na.links(), na.addrs(4))),
        outcome(nsDo(ns.name(a), na.custom("@neslink/core/examples/tcp-echo.mjs", "close", { host: "127.0.0.1", port: 1 }))),
      );
      race.push([
        outcome(linkDo(ns.name(a), lp.veth(`r${i}`, { name: `rp${i}`, ns: b }))),
        outcome(linkDo(ns.name(a), lp.veth(`r${i}`, { name: `rp${i}`, ns: b }), { timeoutMs: 20_000 })),
      ]);
    }
    expect(new Set(await Promise.all([...here, ...pool]))).toEqual(new Set(["ok"]));
    for (const [i, pair] of (await Promise.all(race.map((r) => Promise.all(r)))).entries()) {
      expect(pair, `r${i}`).toContain("ok");
      expect(
        pair.find((o) => o !== "ok"),
        `r${i}: ${pair}`,
      ).toBe("ERR_LINK_EXISTS");
    }
    for (const [i, a] of names.entries()) {
      const b = names[(i + 1) % names.length] as string;
      const [mine, theirs] = [vethsIn(a), vethsIn(b)];
      for (const [end, peer] of [
        [`h${i}`, `hp${i}`],
        [`p${i}`, `pp${i}`],
        [`r${i}`, `rp${i}`],
      ] as const) {
        expect(mine.get(end), `${a} ${end}`).toBe(true);
        expect(theirs.get(peer), `${b} ${peer}`).toBe(true);
      }
      expect(mine.size, a).toBe(6);
    }
    expect(ipJson<{ addr_info: { local: string }[] }[]>("-n", names[7] as string, "addr", "show", "h7")[0]?.addr_info[0]?.local).toBe(
      "10.7.0.1",
    );
    expect(threadsAway()).toEqual([]);
    // Deleted through core, each namespace is let go by the pool's workers at once.
    await Promise.all(names.map((n) => removeNamed(n)));
    expect(threadsAway()).toEqual([]);
    await closeDefaultPool();
    expect(fdCount()).toBeLessThanOrEqual(fds);
  });

  it("namespaces deleted while calls into them are in flight: each call does its work or fails typed (namespace gone); nothing half made", async () => {
    const fds = fdCount();
    const names = Array.from({ length: 30 }, (_, i) => `${prefix}d${i}`);
    await Promise.all(names.map((n) => addNamed(n)));
    await nsDo(ns.now(), na.links());
    const deletes: Promise<unknown>[] = [];
    for (const [i, n] of names.entries()) {
      const after = new Promise((r) => setTimeout(r, (Math.random() * 150) | 0));
      // Every third by `ip netns del` (core is not told), every third by removeNamed (through the open pool).
      if (i % 3 === 0) deletes.push(after.then(() => promisify(execFile)("ip", ["netns", "del", n])));
      if (i % 3 === 1) deletes.push(after.then(() => removeNamed(n)));
    }
    /** Each veth call's outcome, and its ends: [namespace, name] twice. */
    const vethCalls: { done: Promise<string>; ends: [string, string][] }[] = [];
    const others: Promise<string>[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, a] of names.entries()) {
        // Spread over the deletions' time, one call at a time.
        await new Promise((r) => setTimeout(r, 2));
        const b = names[(i + 1) % names.length] as string;
        for (const [end, options] of [
          [`h${round}x${i}`, undefined],
          [`p${round}x${i}`, { timeoutMs: 20_000 }],
        ] as const) {
          const peer = `${end}p`;
          const provider = lp.veth(end, { name: peer, ns: ns.name(b) });
          const done = outcome(options ? linkDo(ns.name(a), provider, la.up(), options) : linkDo(ns.name(a), provider, la.up()));
          vethCalls.push({
            done,
            ends: [
              [a, end],
              [b, peer],
            ],
          });
        }
        others.push(
          outcome(readLinks(ns.name(b))),
          outcome(nsDoHere(ns.name(a), na.links())),
          outcome(nsDo(ns.name(a), na.link(lp.bridge(`b${round}x${i}`)), na.links())),
        );
      }
    }
    await Promise.all(deletes);
    const outcomes = await Promise.all([...vethCalls.map((c) => c.done), ...others]);
    // ERR_NOT_A_NAMESPACE: a call that opened the entry in the instant between `ip netns del`'s unmount and its unlink
    // (an empty file then, with nothing mounted: namespace/entry.ts refusal).
    expect(outcomes).toContain("ok");
    expect(outcomes).toContain("ERR_NS_NOT_FOUND");
    expect(["ok", "ERR_NS_NOT_FOUND", "ERR_NOT_A_NAMESPACE"]).toEqual(expect.arrayContaining([...new Set(outcomes)]));
    const left = new Set(netnsList(`${prefix}d`));
    expect([...left].sort()).toEqual(names.filter((_, i) => i % 3 === 2).sort());
    // A veth call that failed left nothing in a namespace still there; every veth there has its peer.
    for (const { done, ends } of vethCalls) {
      if ((await done) === "ok") continue;
      for (const [n, name] of ends) if (left.has(n)) expect(vethsIn(n).has(name), `${n} ${name}`).toBe(false);
    }
    for (const n of left) for (const [name, paired] of vethsIn(n)) expect(paired, `${n} ${name}`).toBe(true);
    expect(threadsAway()).toEqual([]);
    // Those deleted by `ip netns del` are held by the workers that used them until idle (socketIdleMs) or the pool closes.
    await closeDefaultPool();
    expect(fdCount()).toBeLessThanOrEqual(fds);
  });
});

describe("one AbortSignal for a whole batch", () => {
  it("40 calls share it without a MaxListenersExceededWarning; its abort fails those not done ERR_ABORTED; threads home", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `${prefix}a${i}`);
    await Promise.all(names.map((n) => addNamed(n)));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const never = "data:text/javascript,export const wait = () => new Promise(() => {});";
      // Sent after every bridge: a worker runs its tasks one at a time, so these hold their workers until the abort.
      const bridges = names.flatMap((n) =>
        Array.from({ length: 4 }, (_, k) => outcome(nsDo(ns.name(n), na.link(lp.bridge(`b${k}`)), { signal: controller.signal }))),
      );
      const waits = names.map((n) => outcome(nsDo(ns.name(n), na.custom(never, "wait"), { signal: controller.signal })));
      expect(new Set(await Promise.all(bridges))).toEqual(new Set(["ok"]));
      controller.abort();
      expect(new Set(await Promise.all(waits))).toEqual(new Set(["ERR_ABORTED"]));
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
      for (const n of names) expect(ipJson<unknown[]>("-n", n, "link", "show", "type", "bridge")).toHaveLength(4);
      expect(threadsAway()).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("a process that plans holds no one else's namespace", () => {
  it("a namespace its owner deletes right after a plan goes at once, with the host end of its veth", async () => {
    const [foreign, hostEnd, lab] = [`${prefix}f`, `${prefix}h`, `${prefix}l`];
    ip("netns", "add", foreign);
    ip("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", foreign);
    const path = `/run/netns/${foreign}`;
    const inode = inodeOf(path);
    writeFileSync(LAB_FILE, `name: ${lab}\nnodes:\n  h1: {}\n`);
    // A plan reads the loopback mark of every other named namespace, this one's too (finding nodes the file lost).
    await topology.plan(topology.load(LAB_FILE));
    // On a worker, the pool kept a socket and a descriptor on it for socketIdleMs (30 s): the namespace, its veth
    // and the host end outlived `ip netns del`, and making them again failed with EEXIST.
    expect(heldNamespaceInodes()).not.toContain(inode);
    expect(socketNamespaceInodes()).not.toContain(inode);
    ip("netns", "del", foreign);
    // The kernel destroys it on one host-wide queue, behind other tests' deletions: only a namespace still held waits
    // this bound out.
    const gone = Date.now() + FAIL_AFTER_MS;
    while (ipJson<{ ifname: string }[]>("link", "show").some((l) => l.ifname === hostEnd) && Date.now() < gone)
      await new Promise((r) => setTimeout(r, 50));
    expect(ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname)).not.toContain(hostEnd);
  });
});

// Two labs that name the same namespace (`netns:`), applied at once: both plans find the name free, and the one
// whose create comes second meets ERR_NS_EXISTS. It is refused as a plan would have refused it, with nothing
// changed: the namespaces it made in that first phase are removed again (it failed with ERR_TOPOLOGY_APPLY,
// "1 changes made", its other node left behind).
describe("two labs claiming one namespace, applied at once", () => {
  it("the one that loses the name is told ERR_TOPOLOGY_CONFLICT, as when applied after the other, and keeps nothing", async () => {
    const shared = `${prefix}s`;
    const lab = (name: string) =>
      topology.load({ name, nodes: { a: { netns: shared }, b: {} }, links: [{ endpoints: [`a:e${name.slice(-1)}`, "b:eth0"] }] });
    const labs = [lab(`${prefix}x`), lab(`${prefix}y`)];
    try {
      const outcomes = await Promise.all(labs.map((l) => outcome(topology.apply(l))));
      expect([...outcomes].sort()).toEqual(["ERR_TOPOLOGY_CONFLICT", "ok"]);
      const loser = labs[outcomes.indexOf("ERR_TOPOLOGY_CONFLICT")] as (typeof labs)[number];
      const winner = labs[outcomes.indexOf("ok")] as (typeof labs)[number];
      // The winner's two namespaces, and none of the loser's.
      expect(netnsList(prefix).sort()).toEqual([shared, `${winner.name}-b`].sort());
      expect(netnsList(loser.name)).toEqual([]);
      expect((await topology.plan(winner)).changes).toEqual([]);
      // Nor does its record list the name it lost (or the ones it removed): a destroy of it found the winner's
      // namespace listed there, and said it had cleaned up a leftover.
      const record = JSON.parse(readFileSync(`/run/neslink/topologies/${loser.name}/.ns-record.json`, "utf8"));
      expect(record.entries).toEqual([]);
      const destroyed = await topology.destroy(loser);
      expect(destroyed.leftovers.entries).toEqual([]);
      expect(netnsList(prefix).sort()).toEqual([shared, `${winner.name}-b`].sort());
    } finally {
      // Their lock files go with them.
      for (const l of labs) await topology.destroy(l);
    }
  });
});
