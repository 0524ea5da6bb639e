/**
 * Socket-only work from the calling thread (here.ts: a socket opened inside
 * the namespace by a brief switch, no worker) gives what a worker inside
 * gives: the same results, the same errors, and what iproute2 then sees in
 * the namespace concerned. The thread is home after every call, failed or
 * not, and nothing of the caller's namespace is touched.
 */
import { spawnSync } from "node:child_process";
import { readlinkSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  canDoHere,
  canLinkDoHere,
  type LinkAction,
  type LinkProvider,
  la,
  linkDo,
  linkDoOn,
  lp,
  na,
  nsDoHere,
  nsDoOn,
  type NsAction,
  type NsProvider,
  ns,
  Pool,
  readAddrs,
  toErrorJSON,
} from "@neslink/core";
import * as linkEntry from "@neslink/core/link";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, hostLinkNames, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("hr");
const nsA = `${prefix}a`;
const nsB = `${prefix}b`;
const where = ns.name(nsA);
/**
 * A link of the caller's (root) namespace the target has no link of that
 * name for: one already there (made by this file, it would show in other
 * files' whole-host comparisons), only ever looked up, never changed.
 */
const hostOnly = hostLinkNames(prefix).find((n) => n !== "lo");
const home = readlinkSync("/proc/thread-self/ns/net");
let pool: Pool;

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  address: string;
  master?: string;
  link?: string;
  link_netnsid?: number;
  addr_info?: { local: string; prefixlen: number }[];
  linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; link?: string; mode?: string } };
}

const shown = (nsName: string, name: string) => ipJson<IpLink[]>("-n", nsName, "-d", "link", "show").find((l) => l.ifname === name);
const addrsOf = (nsName: string, name: string) =>
  (ipJson<IpLink[]>("-n", nsName, "addr", "show", "dev", name)[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
const routesOf = (nsName: string) => ipJson<{ dst: string; gateway?: string; dev: string }[]>("-n", nsName, "route", "show");

beforeAll(() => {
  ip("netns", "add", nsA);
  ip("netns", "add", nsB);
  ip("-n", nsA, "link", "set", "lo", "up");
  pool = new Pool({ size: 1 });
});

afterEach(() => {
  // Every call, failed or not, leaves the calling thread where it was.
  expect(readlinkSync("/proc/thread-self/ns/net")).toBe(home);
});

afterAll(async () => {
  await pool?.close();
  cleanup(prefix);
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

/** linkDo from here (named `a`) and on a worker (named `b`), settled either way. */
async function bothWays(provider: NsProvider, make: (tag: "a" | "b") => [LinkProvider, ...LinkAction[]]) {
  const [hereLink, ...hereActions] = make("a");
  const [workerLink, ...workerActions] = make("b");
  expect(
    canLinkDoHere(
      provider,
      hereLink,
      hereActions.map((a) => a as never),
    ),
  ).toBe(true);
  return {
    here: await settle(linkDo(provider, hereLink, ...hereActions)),
    worker: await settle(linkDoOn(pool, provider, workerLink, ...workerActions)),
  };
}

/** A Link without what differs between two links made alike. */
const alike = ({ index: _i, name: _n, mac: _m, parentIndex: _p, ...rest }: Record<string, unknown>) => rest;

describe("linkDo from the calling thread, inside the namespace", () => {
  it("makes a veth whose peer goes to another namespace, with an address, up, as the worker does", async () => {
    const { here, worker } = await bothWays(where, (t) => [
      lp.veth(`${prefix}v${t}`, { name: `${prefix}w${t}`, ns: ns.name(nsB) }, { mtu: 1400 }),
      la.addAddr(t === "a" ? "10.61.0.1/24" : "10.62.0.1/24"),
      la.up(),
    ]);
    if (!("value" in here) || !("value" in worker)) throw new Error("both should succeed");
    expect(alike(here.value.link)).toEqual(alike(worker.value.link));
    expect(here.value.results).toEqual(worker.value.results);
    const seen = shown(nsA, `${prefix}va`);
    expect(seen?.linkinfo?.info_kind).toBe("veth");
    expect(seen?.mtu).toBe(1400);
    expect(seen?.flags).toContain("UP");
    expect(seen?.link_netnsid).toBe(here.value.link.linkNetnsid);
    expect(addrsOf(nsA, `${prefix}va`)).toEqual(["10.61.0.1/24"]);
    expect(shown(nsB, `${prefix}wa`)?.linkinfo?.info_kind).toBe("veth");
    // Nothing in the caller's namespace.
    expect(ipJson<IpLink[]>("link", "show").some((l) => l.ifname.startsWith(`${prefix}v`) || l.ifname.startsWith(`${prefix}w`))).toBe(
      false,
    );
  });

  it("makes a vxlan on an underlay and a macvlan on a parent of the namespace, and changes a link in place", async () => {
    const vx = await bothWays(where, (t) => [
      lp.vxlan(`${prefix}x${t}`, { id: t === "a" ? 61 : 62, remote: "10.61.0.9", parent: lp.name(`${prefix}va`) }),
    ]);
    if (!("value" in vx.here) || !("value" in vx.worker)) throw new Error("both should succeed");
    // Alike but for the VNI each was given.
    const { link: made } = vx.worker.value;
    expect(made.vxlan?.id).toBe(62);
    expect(alike(vx.here.value.link)).toEqual(alike({ ...made, vxlan: { ...made.vxlan, id: 61 } }));
    const data = shown(nsA, `${prefix}xa`)?.linkinfo?.info_data;
    expect(data).toMatchObject({ id: 61, remote: "10.61.0.9", link: `${prefix}va` });
    const mv = await bothWays(where, (t) => [lp.macvlan(`${prefix}m${t}`, lp.name(`${prefix}x${t}`))]);
    if (!("value" in mv.here) || !("value" in mv.worker)) throw new Error("both should succeed");
    expect(shown(nsA, `${prefix}ma`)?.link).toBe(`${prefix}xa`);
    expect(shown(nsA, `${prefix}ma`)?.linkinfo?.info_data?.mode).toBe("bridge");
    // A change of an existing link, then a bridge as its master: the link is changed, not moved or replaced.
    await linkDo(where, lp.bridge(`${prefix}br`), la.up());
    const index = shown(nsA, `${prefix}va`)?.ifindex;
    const set = await linkDo(where, lp.name(`${prefix}va`), la.setMtu(1300), la.master(lp.name(`${prefix}br`)), la.delAddr("10.61.0.1/24"));
    expect(set.link.index).toBe(index);
    expect(shown(nsA, `${prefix}va`)).toMatchObject({ mtu: 1300, master: `${prefix}br` });
    expect(addrsOf(nsA, `${prefix}va`)).toEqual([]);
  });

  it("moves a link to another namespace as the worker does, and nothing is left behind", async () => {
    // Two pairs alike, one end of each moved: one here, one on the worker.
    await linkDo(where, lp.veth(`${prefix}ya`, { name: `${prefix}yb` }));
    await linkDo(where, lp.veth(`${prefix}yc`, { name: `${prefix}yd` }));
    const moves = [na.setLinkNs(lp.name(`${prefix}ya`), ns.name(nsB)), na.setLinkNs(lp.name(`${prefix}yc`), ns.name(nsB))];
    expect(canDoHere(where, [moves[0] as NsAction])).toBe(true);
    const here = await nsDoHere(where, moves[0] as NsAction);
    const worker = await nsDoOn(pool, where, moves[1] as NsAction);
    expect(alike(here.results[0] as Record<string, unknown>)).toEqual(alike(worker.results[0] as Record<string, unknown>));
    const there = ipJson<IpLink[]>("-n", nsB, "link", "show");
    expect(there.find((l) => l.ifname === `${prefix}ya`)?.ifindex).toBe((here.results[0] as { index: number }).index);
    expect(there.some((l) => l.ifname === `${prefix}yc`)).toBe(true);
    expect(shown(nsA, `${prefix}ya`)).toBeUndefined();
    // Into a namespace that is not there: nothing moves, the error is the worker's.
    await linkDo(where, lp.bridge(`${prefix}ye`));
    const lost = [na.setLinkNs(lp.name(`${prefix}ye`), ns.name(`${prefix}none`))] as NsAction[];
    const failed = await Promise.all([settle(nsDoHere(where, ...lost)), settle(nsDoOn(pool, where, ...lost))]);
    if (!("error" in failed[0]) || !("error" in failed[1])) throw new Error("both should fail");
    expect(toErrorJSON(failed[0].error)).toEqual(toErrorJSON(failed[1].error));
    expect(shown(nsA, `${prefix}ye`)).toBeDefined();
  });

  it("fails as the worker does, with nothing made: a name taken, a missing master, a missing link, a bad address", async () => {
    const cases: ((t: "a" | "b") => [LinkProvider, ...LinkAction[]])[] = [
      () => [lp.bridge(`${prefix}br`)],
      // Nothing is made, so both ways may name it alike (errors name it).
      () => [lp.veth(`${prefix}na`, { name: `${prefix}oa` }, { master: lp.name(`${prefix}none`) })],
      () => [lp.name(`${prefix}none`), la.up()],
      // The caller's link of that name is not the target's (only looked up: a bug here must not touch the host's).
      ...(hostOnly === undefined ? [] : [() => [lp.name(hostOnly)] as [LinkProvider]]),
      () => [lp.name("lo"), la.up(), la.delAddr("10.99.99.99/32")],
    ];
    for (const make of cases) {
      const { here, worker } = await bothWays(where, make);
      if (!("error" in here) || !("error" in worker)) throw new Error("both should fail");
      expect(toErrorJSON(here.error)).toEqual(toErrorJSON(worker.error));
    }
    expect(shown(nsA, `${prefix}na`)).toBeUndefined();
  });
});

describe("nsDoHere", () => {
  it("adds, replaces, lists and deletes routes, and reads links and addresses, as a worker does", async () => {
    const lo = lp.name("lo");
    // Each change made here on one prefix and on the worker on another; reads compared as they are.
    const changes = (to: string): NsAction[][] => [
      [na.addRoute({ to, dev: lo })],
      [na.replaceRoute({ to, dev: lo, metric: 5 })],
      [na.delRoute({ to, dev: lo })],
      [na.addRoute({ to, dev: lo, metric: 7 })],
    ];
    const [ours, theirs] = [changes("10.70.0.0/16"), changes("10.80.0.0/16")];
    for (const [i, list] of ours.entries()) {
      expect(canDoHere(where, list)).toBe(true);
      expect(await nsDoHere(where, ...list)).toEqual(await nsDoOn(pool, where, ...(theirs[i] as NsAction[])));
    }
    const metrics = (dst: string) =>
      routesOf(nsA).flatMap((r) => (r.dst === dst ? [{ dev: r.dev, metric: (r as { metric?: number }).metric }] : []));
    // As `ip route`: a replace of another metric adds; a delete without one takes the first (metric 0).
    expect(metrics("10.70.0.0/16")).toEqual([
      { dev: "lo", metric: 5 },
      { dev: "lo", metric: 7 },
    ]);
    expect(metrics("10.70.0.0/16")).toEqual(metrics("10.80.0.0/16"));
    // A delete by destination alone takes the first that matches, as `ip route del` does.
    await nsDoHere(where, na.delRoute({ to: "10.80.0.0/16" }));
    expect(metrics("10.80.0.0/16")).toEqual([{ dev: "lo", metric: 7 }]);
    const reads = [na.routes(4), na.links(), na.addrs(4), na.getLink(lp.name(`${prefix}br`))];
    expect(canDoHere(where, reads)).toBe(true);
    expect(await nsDoHere(where, ...reads)).toEqual(await nsDoOn(pool, where, ...reads));
    // The failure of the second action, placed as a worker places it.
    const failing = [na.links(), na.delRoute({ to: "10.71.0.0/16", dev: lo })];
    const here = await settle(nsDoHere(where, ...failing));
    const worker = await settle(nsDoOn(pool, where, ...failing));
    if (!("error" in here) || !("error" in worker)) throw new Error("both should fail");
    expect(toErrorJSON(here.error)).toEqual(toErrorJSON(worker.error));
    expect(here.error).toMatchObject({ actionIndex: 1, code: "ERR_IP_ROUTE_NOT_FOUND", action: "delRoute" });
  });

  it("keeps the worker for what needs a thread inside, a namespace yet to be made, options, and bad input", async () => {
    expect(canDoHere(where, [na.sysctl("net.ipv4.ip_forward")])).toBe(false);
    expect(canDoHere(where, [na.links(), na.exec(["true"])])).toBe(false);
    expect(canDoHere(where, [na.link(lp.name("lo"), la.custom(new URL("./x.js", import.meta.url).href, "f"))])).toBe(false);
    expect(canDoHere(ns.create(), [na.links()])).toBe(false);
    expect(canDoHere(where, [{ kind: "links", extra: 1 } as unknown as NsAction])).toBe(false);
    expect(canLinkDoHere(ns.create(), lp.bridge("x"), [])).toBe(false);
    // Through the pool: the same result (a sysctl read inside).
    const { results } = await nsDoHere(where, na.sysctl("net.ipv4.ip_forward"));
    expect(results[0]).toBe("0");
    await expect(nsDoHere(where, { kind: "links", extra: 1 } as unknown as NsAction)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    // A namespace that is not there fails as through the pool: the namespace's error, not an action's.
    const missing = ns.name(`${prefix}none`);
    const lost: ({ value: unknown } | { error: unknown })[] = await Promise.all([
      settle(nsDoHere(missing, na.links())),
      settle(nsDoOn(pool, missing, na.links())),
    ]);
    const veth = lp.veth(`${prefix}q0`, { name: `${prefix}q1` });
    lost.push(await settle(linkDo(missing, veth)), await settle(linkDoOn(pool, missing, veth)));
    for (const outcome of lost) if (!("error" in outcome)) throw new Error("each should fail");
    const errors = lost.map((o) => toErrorJSON((o as { error: unknown }).error));
    expect(errors[0]).toEqual(errors[1]);
    expect(errors[2]).toEqual(errors[3]);
    expect(errors[0]).toMatchObject({ name: "NotFoundError", code: "ERR_NS_NOT_FOUND" });
    // The entry point's are core's own (one module in the bundle, not a copy).
    expect(linkEntry.nsDoHere).toBe(nsDoHere);
    expect(linkEntry.canDoHere).toBe(canDoHere);
  });

  it("refuses a provider that is no object as the worker does, and runs what it checked, reading hand-built parts once", async () => {
    for (const bad of [null, undefined, 7, "x"] as unknown as NsProvider[]) {
      const here = await settle(linkDo(bad, lp.name("lo")));
      const worker = await settle(linkDoOn(pool, bad, lp.name("lo")));
      if (!("error" in here) || !("error" in worker)) throw new Error("both should fail");
      expect(toErrorJSON(here.error)).toEqual(toErrorJSON(worker.error));
      expect(here.error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "provider" });
      expect(canLinkDoHere(bad, lp.name("lo"), [])).toBe(false);
    }
    expect(canLinkDoHere(where, lp.name("lo"), null as never)).toBe(false);
    // A getter answering one kind for its first `reads` reads, then another: either is a valid task, so whichever
    // one is checked runs, as on a worker, never a mix (checked as one, run as the other).
    const flipping = (reads: number, first: string, then: string) => {
      let n = 0;
      return {
        get kind() {
          return n++ < reads ? first : then;
        },
      };
    };
    for (let reads = 1; reads <= 4; reads++) {
      const action = await nsDoHere(where, flipping(reads, "links", "handle") as unknown as NsAction);
      expect(action.returned).toBe(true);
      const made = await linkDo(flipping(reads, "now", "new") as unknown as NsProvider, lp.name("lo"));
      expect(made.link.name).toBe("lo");
    }
  });

  it("holds one socket at a time however many calls run at once, as a worker does (no EMFILE where a pool has none)", async () => {
    const start = fdCount();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      calls.push(linkDo(where, lp.name("lo"), la.setMtu(1400 + (i % 50))));
      calls.push(nsDoHere(where, na.links(), na.addrs()));
      calls.push(readAddrs(where));
    }
    // Every call has started (and run what it runs before its first await): a socket or so open, not one a call
    // (900). The pool's worker may open or close a few of its own meanwhile.
    expect(fdCount() - start).toBeLessThan(20);
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    // Run in the order they were made: the last MTU set is the one the namespace has.
    expect(shown(nsA, "lo")?.mtu).toBe(1400 + (299 % 50));
  });

  it("leaves the calling thread home where it could not come back (root of a user namespace in its parent's network namespace)", () => {
    // Without CAP_SYS_ADMIN over the owner of its network namespace, a thread may leave it but never return: such a
    // process must not end (_exit 125) at its first call, but work as on a worker, which reports it did not get back.
    const dir = `/run/neslink-test-${prefix}`;
    try {
      const run = spawnSync(
        "unshare",
        [
          "-U",
          "-r",
          "-m",
          "--propagation",
          "private",
          process.execPath,
          fileURLToPath(new URL("../fixtures/foreign-home.mjs", import.meta.url)),
          prefix,
          dir,
        ],
        { encoding: "utf8", cwd: new URL(".", import.meta.url) },
      );
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      const out = JSON.parse(run.stdout);
      expect(out).toMatchObject({
        canDoHere: false,
        canLinkDoHere: false,
        linkDo: { ok: true },
        find: { ok: true },
        nsDoHere: { ok: true },
      });
      // What the worker did, seen by iproute2 inside.
      expect(out.lo).toContain("UP");
      expect(out.routes).toEqual(expect.arrayContaining([expect.objectContaining({ dst: "10.77.0.0/16", dev: "lo" })]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts no thread, leaves no descriptor open, and every thread of the process stays in its namespace", async () => {
    const script = `
      import { readdirSync, readlinkSync } from "node:fs";
      import { la, linkDo, lp, na, ns, nsDoHere } from "@neslink/core/link";
      const tasks = () => readdirSync("/proc/self/task");
      const where = (t) => tasks().map((id) => readlinkSync("/proc/self/task/" + id + "/ns/net"));
      const fds = () => readdirSync("/proc/self/fd").length;
      const w = ns.name(${JSON.stringify(nsA)});
      const before = { tasks: tasks().length, fds: fds(), ns: where() };
      await linkDo(w, lp.veth(${JSON.stringify(`${prefix}f0`)}, { name: ${JSON.stringify(`${prefix}f1`)} }), la.up());
      await nsDoHere(w, na.addRoute({ to: "10.72.0.0/16", dev: lp.name(${JSON.stringify(`${prefix}f0`)}) }), na.routes());
      await linkDo(w, lp.name(${JSON.stringify(`${prefix}none`)}), la.up()).catch(() => {});
      await linkDo(w, lp.name(${JSON.stringify(`${prefix}f0`)}), la.delete());
      console.log(JSON.stringify({ before, after: { tasks: tasks().length, fds: fds(), ns: where() } }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      cwd: new URL(".", import.meta.url),
    });
    expect(run.stderr).toBe("");
    const { before, after } = JSON.parse(run.stdout) as Record<"before" | "after", { tasks: number; fds: number; ns: string[] }>;
    expect(after).toEqual(before);
    expect(new Set(after.ns)).toEqual(new Set([home]));
    expect(shown(nsA, `${prefix}f0`)).toBeUndefined();
    const start = fdCount();
    await linkDo(where, lp.bridge(`${prefix}g`), la.up());
    await nsDoHere(where, na.links());
    await linkDo(where, lp.name(`${prefix}g`), la.delete());
    expect(fdCount()).toBe(start);
  });
});
