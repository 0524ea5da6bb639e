/**
 * watch() on the real kernel: changes made with iproute2 (not neslink) in
 * namespaces this file creates arrive as the right events, in order per
 * namespace; the end of a namespace is seen; ending the iteration closes
 * everything at once. The flood and the 500-namespace bound are in
 * events-flood.test.ts.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import {
  applyEvent,
  closeDefaultPool,
  type EventStream,
  emptyState,
  na,
  ns,
  nsDo,
  nsDoOn,
  Pool,
  type WatchEvent,
  watch,
  watchGone,
} from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, holdUntilNetlinkRead, inodeOf, ip, ipJson, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ev");
const spaces = [`${prefix}a`, `${prefix}b`];
/** A mount dir of this file's own, so watching "every named namespace" there sees only this file's. */
const dir = `/tmp/${prefix}-netns`;
const core = new URL("../../dist/index.js", import.meta.url).href;

beforeAll(() => {
  for (const name of spaces) ip("netns", "add", name);
});
afterAll(async () => {
  cleanup(prefix);
  for (const name of [`${prefix}n1`, `${prefix}n2`]) await nsDo(ns.now(), na.deleteNamed(name, dir)).catch(() => {});
  // Like /run/netns, the dir was made a shared mount point of its own.
  spawnSync("umount", ["-l", dir]);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

/**
 * Events of `stream` until `done` says so (that event included). No clock of its own: the stream is closed when
 * `signal` (the test's) aborts, at its timeout, so a test whose event never comes fails and leaves nothing open. A
 * fixed 10 s was no bound of the kernel's: a namespace's end waits behind every other destruction queued on the host.
 */
async function collect(
  stream: EventStream,
  done: (e: WatchEvent, all: WatchEvent[]) => boolean,
  signal: AbortSignal,
): Promise<WatchEvent[]> {
  const all: WatchEvent[] = [];
  const close = () => void stream.close();
  signal.addEventListener("abort", close, { once: true });
  try {
    for await (const event of stream) {
      all.push(event);
      if (done(event, all)) return all;
    }
  } finally {
    signal.removeEventListener("abort", close);
  }
  throw new Error(`stream ended after ${all.length} events without the one awaited: ${JSON.stringify(all.slice(-5))}`);
}

/** The iproute2 commands one namespace gets, and what each must produce, in order. */
function script(name: string): { commands: string[][]; expected: ((e: WatchEvent) => boolean)[] } {
  const n = (...args: string[]) => ["-n", name, ...args];
  const isLink = (action: string, linkName: string, changed?: string) => (e: WatchEvent) =>
    e.type === "link" &&
    e.action === action &&
    e.link.name === linkName &&
    (!changed || (e.action === "changed" && e.changed.includes(changed as never)));
  return {
    commands: [
      n("link", "add", "p0", "type", "veth", "peer", "name", "p1"),
      n("link", "set", "p0", "up"),
      n("link", "set", "p1", "up"),
      n("link", "set", "p0", "mtu", "1400"),
      n("link", "set", "p0", "address", "02:00:00:00:00:10"),
      n("link", "set", "p0", "down"),
      n("link", "set", "p0", "name", "p0x"),
      n("link", "add", "br0", "type", "bridge"),
      n("link", "set", "p0x", "master", "br0"),
      n("link", "set", "p0x", "up"),
      n("addr", "add", "10.7.0.1/24", "dev", "p0x"),
      n("route", "add", "10.8.0.0/24", "dev", "p0x"),
      n("neigh", "add", "10.7.0.9", "lladdr", "02:00:00:00:00:09", "dev", "p0x", "nud", "permanent"),
      n("neigh", "change", "10.7.0.9", "lladdr", "02:00:00:00:00:0a", "dev", "p0x"),
      n("neigh", "del", "10.7.0.9", "dev", "p0x"),
      n("route", "del", "10.8.0.0/24", "dev", "p0x"),
      n("addr", "del", "10.7.0.1/24", "dev", "p0x"),
      n("link", "del", "p0x"),
    ],
    expected: [
      isLink("new", "p0"),
      isLink("changed", "p0", "up"),
      (e) =>
        e.type === "link" && e.action === "changed" && e.link.name === "p0" && e.changed.includes("operstate") && e.link.operstate === "up",
      (e) => isLink("changed", "p0", "mtu")(e) && e.type === "link" && e.link.mtu === 1400,
      (e) => isLink("changed", "p0", "mac")(e) && e.type === "link" && e.link.mac === "02:00:00:00:00:10",
      (e) => isLink("changed", "p0", "flags")(e) && e.type === "link" && !e.link.up,
      (e) => isLink("changed", "p0x", "name")(e) && e.type === "link" && e.action === "changed" && e.previous.name === "p0",
      isLink("new", "br0"),
      (e) => isLink("changed", "p0x", "masterIndex")(e) && e.type === "link" && e.link.masterIndex !== null,
      isLink("changed", "p0x", "up"),
      (e) => e.type === "address" && e.action === "new" && e.address.local === "10.7.0.1" && e.address.prefixLen === 24,
      (e) => e.type === "route" && e.action === "new" && e.route.dst === "10.8.0.0" && e.route.dstLen === 24,
      (e) => e.type === "neighbour" && e.action === "new" && e.neighbour.dst === "10.7.0.9" && e.neighbour.mac === "02:00:00:00:00:09",
      (e) => e.type === "neighbour" && e.action === "changed" && e.neighbour.mac === "02:00:00:00:00:0a",
      (e) => e.type === "neighbour" && e.action === "deleted" && e.neighbour.dst === "10.7.0.9",
      (e) => e.type === "route" && e.action === "deleted" && e.route.dst === "10.8.0.0",
      (e) => e.type === "address" && e.action === "deleted" && e.address.local === "10.7.0.1",
      isLink("deleted", "p0x"),
    ],
  };
}

/** The index of each expected event in `events`, in order (-1 for the first missing). */
function subsequence(events: WatchEvent[], expected: ((e: WatchEvent) => boolean)[]): number[] {
  const found: number[] = [];
  let at = 0;
  for (const match of expected) {
    while (at < events.length && !match(events[at] as WatchEvent)) at++;
    if (at === events.length) return [...found, -1];
    found.push(at++);
  }
  return found;
}

/** Runs a module script (`m`: core) as user nobody, with no capability; it prints one JSON line. Fails after 30 s. */
function scriptAsNobody<T>(body: string): T {
  const r = spawnSync(
    "setpriv",
    [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      process.execPath,
      "--input-type=module",
      "-e",
      `import * as m from ${JSON.stringify(core)};\n${body}`,
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as T;
}

describe("watch", () => {
  it("turns iproute2's changes in two namespaces into the right events, in order per namespace", async ({ signal }) => {
    const stream = watch(
      spaces.map((s) => ns.name(s)),
      { groups: ["link", "address", "route", "neighbour"] },
    );
    await stream.ready;
    const scripts = spaces.map(script);
    // Interleaved: one command for each namespace in turn.
    for (let i = 0; i < (scripts[0]?.commands.length ?? 0); i++) for (const s of scripts) ip(...(s.commands[i] as string[]));
    const remaining = new Set(spaces);
    const events = await collect(
      stream,
      (e) => {
        if (e.type === "link" && e.action === "deleted" && e.link.name === "p0x") remaining.delete(e.netns);
        return remaining.size === 0;
      },
      signal,
    );
    // Between dumps the listener is back home; the main thread and libuv's pool never leave it.
    const home = readlinkSync("/proc/self/ns/net");
    const threads = readdirSync("/proc/self/task").map((tid) => readlinkSync(`/proc/self/task/${tid}/ns/net`));
    expect(new Set(threads)).toEqual(new Set([home]));
    await stream.close();
    for (const [i, name] of spaces.entries()) {
      const mine = events.filter((e) => e.netns === name);
      const found = subsequence(mine, (scripts[i] as ReturnType<typeof script>).expected);
      expect(found, `${name}: ${JSON.stringify(mine.map((e) => [e.type, "action" in e && e.action]))}`).not.toContain(-1);
      expect(JSON.parse(JSON.stringify(mine))).toEqual(mine);
    }
  });

  it("decodes a link as iproute2 shows it, and lists the existing state first when asked", async ({ signal }) => {
    const name = spaces[0] as string;
    ip("-n", name, "link", "add", "q0", "mtu", "1300", "address", "02:00:00:00:00:21", "type", "veth", "peer", "name", "q1");
    ip("-n", name, "addr", "add", "10.9.0.1/24", "dev", "q0");
    const stream = watch(ns.name(name), { listExisting: true, groups: ["link", "address"] });
    const events = await collect(stream, (e) => e.type === "synced", signal);
    await stream.close();
    const shown = ipJson<{ ifindex: number; ifname: string; mtu: number; address: string; operstate: string }[]>(
      "-n",
      name,
      "link",
      "show",
    );
    const links = events.flatMap((e) => (e.type === "link" && e.action === "new" ? [e.link] : []));
    expect(links.map((l) => [l.index, l.name, l.mtu, l.mac, l.operstate?.toUpperCase()])).toEqual(
      shown.map((l) => [l.ifindex, l.ifname, l.mtu, l.address, l.operstate]),
    );
    const addrs = events.flatMap((e) => (e.type === "address" ? [`${e.address.local}/${e.address.prefixLen}`] : []));
    expect(addrs).toContain("10.9.0.1/24");
    ip("-n", name, "link", "del", "q0");
  });

  it("says when a watched namespace gives another an id, and takes it back when that one ends", async ({ signal }) => {
    const [watched, other] = [spaces[0] as string, `${prefix}i`];
    ip("netns", "add", other);
    const stream = watch(ns.name(watched), { groups: ["nsid"] });
    await stream.ready;
    ip("-n", watched, "netns", "set", other, "auto");
    let given: number | undefined;
    const events = await collect(
      stream,
      (e) => {
        if (e.type === "nsid" && e.action === "new" && given === undefined) {
          given = e.nsid;
          ip("netns", "del", other);
        }
        return e.type === "nsid" && e.action === "deleted";
      },
      signal,
    );
    await stream.close();
    const nsids = events.filter((e) => e.type === "nsid");
    expect(nsids).toEqual([
      { type: "nsid", action: "new", netns: watched, nsid: given },
      { type: "nsid", action: "deleted", netns: watched, nsid: given },
    ]);
  });

  it("says when a watched namespace is gone from the kernel, and holds nothing that keeps it alive", async ({ signal }) => {
    const name = `${prefix}g`;
    ip("netns", "add", name);
    const inode = inodeOf(`/run/netns/${name}`);
    const stream = watch(ns.name(name), { groups: ["link"] });
    await stream.ready;
    expect(socketNamespaceInodes()).not.toContain(inode);
    ip("netns", "del", name);
    const events = await collect(stream, (e) => e.type === "gone", signal);
    expect(events.at(-1)).toEqual({ type: "gone", netns: name });
    await stream.close();
  });

  it("closes every descriptor it opened when the iteration ends, by break or by abort", async () => {
    const before = fdCount();
    const first = watch(spaces.map((s) => ns.name(s)));
    await first.ready;
    ip("-n", spaces[0] as string, "link", "add", "r0", "type", "bridge");
    for await (const e of first) if (e.type === "link") break;
    expect(fdCount()).toBe(before);

    const controller = new AbortController();
    const second = watch(ns.name(spaces[1] as string), { signal: controller.signal });
    await second.ready;
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    for await (const _ of second) {
      // nothing happens in that namespace meanwhile
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fdCount()).toBe(before);
    ip("-n", spaces[0] as string, "link", "del", "r0");
  });

  it("ends on throw(), as an async generator does: the error comes back and nothing is left open, by hand or through yield*", async () => {
    const before = fdCount();
    const boom = new Error("the consumer's own");
    const byHand = watch(ns.name(spaces[0] as string), { listExisting: true });
    await byHand.next();
    await expect(byHand.throw(boom)).rejects.toBe(boom);
    expect(await byHand.next()).toEqual({ value: undefined, done: true });
    expect(fdCount()).toBe(before);

    async function* delegating() {
      yield* watch(ns.name(spaces[1] as string), { listExisting: true });
    }
    const outer = delegating();
    await outer.next();
    await expect(outer.throw(boom)).rejects.toBe(boom);
    expect(fdCount()).toBe(before);
  });

  it("watches every named namespace of a dir, ones created later included, and sees them end", async ({ signal }) => {
    await nsDo(ns.createNamed(`${prefix}n1`, dir));
    const stream = watch({ named: true, dir }, { groups: ["link"], listExisting: true });
    await stream.ready;
    await nsDo(ns.createNamed(`${prefix}n2`, dir));
    const seen = new Set<string>();
    // Named in events by dir and name, the dir not being the default.
    const labels = [`${dir}/${prefix}n1`, `${dir}/${prefix}n2`];
    let recreated = false;
    let deleted: Promise<unknown> = Promise.resolve();
    const events = await collect(
      stream,
      (e, all) => {
        // The later namespace is listed as soon as it is found; then iproute2 changes it.
        if (e.type === "synced" && e.netns === labels[1])
          execFileSync("nsenter", [`--net=${dir}/${prefix}n2`, "ip", "link", "add", "w0", "type", "bridge"]);
        if (e.type === "link" && e.link.name === "w0") {
          deleted = Promise.all([`${prefix}n1`, `${prefix}n2`].map((name) => nsDo(ns.now(), na.deleteNamed(name, dir))));
        }
        if (e.type === "gone") seen.add(e.netns);
        // A name given again to a new namespace is watched again: given once its deletion has returned (the name is free only then).
        if (e.type === "gone" && e.netns === labels[0] && !recreated) {
          recreated = true;
          void deleted.then(() => nsDo(ns.createNamed(`${prefix}n1`, dir)));
        }
        return (seen.size === 2 && all.filter((x) => x.type === "synced" && x.netns === labels[0]).length === 2) || all.length > 1000;
      },
      signal,
    );
    await stream.close();
    expect(events.filter((e) => e.type === "synced").map((e) => e.netns)).toEqual([...labels, labels[0]]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "link", action: "new", netns: labels[1], link: expect.objectContaining({ name: "w0" }) }),
    );
    expect([...seen].sort()).toEqual(labels);
  });

  it("gives a promise for a namespace's end (watchGone), which resolves only once the kernel destroyed it", async () => {
    const name = `${prefix}w`;
    ip("netns", "add", name);
    const { gone } = await watchGone(ns.name(name));
    let resolved = false;
    void gone.then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(resolved).toBe(false);
    ip("netns", "del", name);
    await gone;
    const cancelled = await watchGone(ns.name(spaces[0] as string));
    await cancelled.cancel();
    await expect(cancelled.gone).rejects.toMatchObject({ code: "ERR_ABORTED" });
  });

  it("never keeps a script from exiting: idle, after break, or never iterated", async () => {
    const name = spaces[0] as string;
    const body = `
      const idle = m.watch(m.ns.name(${JSON.stringify(name)}));
      await idle.ready;
      const used = m.watch(m.ns.name(${JSON.stringify(name)}), { listExisting: true });
      for await (const e of used) if (e.type === "synced") break;
      console.log("done");`;
    // Timed from its last line, not its start: a loaded machine takes seconds to start node and core.
    let doneAt = Number.POSITIVE_INFINITY;
    const { code, stdout, stderr, closedAt } = await new Promise<{ code: number | null; stdout: string; stderr: string; closedAt: number }>(
      (resolve) => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", `import * as m from ${JSON.stringify(core)};\n${body}`]);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => {
          stdout += c;
          if (stdout.includes("done")) doneAt = Math.min(doneAt, Date.now());
        });
        child.stderr.on("data", (c: Buffer) => (stderr += c));
        const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
        child.on("close", (code) => {
          clearTimeout(killer);
          resolve({ code, stdout, stderr, closedAt: Date.now() });
        });
      },
    );
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: "done", stderr: "" });
    expect(closedAt - doneAt).toBeLessThan(5000);
  });

  it("drops what a slow consumer left queued past maxQueued, says so, and lists the whole state again", async ({ signal }) => {
    const name = `${prefix}q`;
    ip("netns", "add", name);
    const stream = watch(ns.name(name), { groups: ["link"], maxQueued: 1024 });
    await stream.ready;
    // 1500 links, and so more than 1500 events, while nobody reads.
    // ifb links in a group: deleting the group takes ~0.1 s (1500 bridges would hold the RTNL lock ~25 s).
    const lines = Array.from({ length: 1500 }, (_, i) => `link add s${i} group 77 type ifb`).join("\n");
    execFileSync("ip", ["-n", name, "-batch", "-"], { input: `${lines}\n` });
    // Nobody reads until the listener has read them all: past maxQueued, it drops what this thread has not taken. (A
    // second's pause was no such sign: a listener slow to run on a loaded machine posted too few for a drop.)
    expect(holdUntilNetlinkRead()).toBe(true);
    const state = emptyState();
    let resets = 0;
    await collect(
      stream,
      (e) => {
        if (e.type === "resync" && e.reason === "slow-consumer") {
          resets++;
          state.links.clear();
        }
        if (e.type === "link") applyEvent(state, e);
        // Up to the last bridge the batch made (its events come in order).
        return resets > 0 && e.type === "link" && e.link.name === "s1499";
      },
      signal,
    );
    await stream.close();
    expect(resets).toBeGreaterThan(0);
    const shown: { ifindex: number; ifname: string }[] = JSON.parse(
      execFileSync("ip", ["-j", "-n", name, "link", "show"], { encoding: "utf8", maxBuffer: 1 << 26 }),
    );
    expect([...state.links.values()].map((l) => `${l.index} ${l.name}`).sort()).toEqual(
      shown.map((l) => `${l.ifindex} ${l.ifname}`).sort(),
    );
    ip("-n", name, "link", "del", "group", "77");
    ip("netns", "del", name);
  });

  it("follows what the kernel changes without a word: routes flushed with their link, a route replaced through another link", async ({
    signal,
  }) => {
    const name = spaces[1] as string;
    const stream = watch(ns.name(name), { groups: ["link", "address", "route"], listExisting: true });
    const state = emptyState();
    const n = (...args: string[]) => ip("-n", name, ...args);
    n("link", "add", "t0", "type", "veth", "peer", "name", "t1");
    n("link", "set", "t0", "up");
    n("link", "set", "t1", "up");
    n("addr", "add", "10.6.0.1/24", "dev", "t0");
    n("addr", "add", "10.6.1.1/24", "dev", "t1");
    n("route", "add", "10.5.0.0/16", "via", "10.6.0.2");
    n("route", "replace", "10.5.0.0/16", "via", "10.6.1.2");
    // Taking t1 down flushes its IPv4 routes (the replaced one included) without RTM_DELROUTE.
    n("link", "set", "t1", "down");
    // Heard after everything above (one socket, in the kernel's order), or listed with it: the end of what to collect.
    n("link", "add", "t9", "type", "bridge");
    const mainRoutes = () =>
      [...state.routes.values()]
        .filter((r) => r.family === 2 && r.table === 254)
        .map((r) => `${r.dst}/${r.dstLen} ${r.gateway ?? ""}`)
        .sort();
    const shown = () =>
      ipJson<{ dst: string; gateway?: string }[]>("-n", name, "-4", "route", "show")
        .map((r) => `${r.dst.includes("/") ? r.dst : `${r.dst}/32`} ${r.gateway ?? ""}`)
        .sort();
    // Not until a quiet moment (1.5 s without an event), which a loaded machine can give before the last event.
    let [synced, marked] = [false, false];
    await collect(
      stream,
      (e) => {
        if (e.type === "link" || e.type === "address" || e.type === "route") applyEvent(state, e);
        synced ||= e.type === "synced";
        marked ||= e.type === "link" && e.action === "new" && e.link.name === "t9";
        return synced && marked;
      },
      signal,
    );
    await stream.close();
    expect(shown()).toEqual(["10.6.0.0/24 "]);
    expect(mainRoutes()).toEqual(shown());
    n("link", "del", "t0");
    n("link", "del", "t9");
  });

  it("never holds a pool worker: a pool of one still runs work while a watch waits", async () => {
    const pool = new Pool({ size: 1 });
    const stream = watch(spaces.map((s) => ns.name(s)));
    await stream.ready;
    const started = Date.now();
    const { results } = await nsDoOn(pool, ns.name(spaces[0] as string), na.links());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((results[0] as { name: string }[]).map((l) => l.name)).toContain("lo");
    await stream.close();
    await pool.close();
  });

  it("watches its own namespace with no capability at all, and says which one watching others needs (every named one too)", () => {
    const seen = scriptAsNobody<{ links: string[]; refused: string; namedRefused: string; next: string }>(`
      const own = m.watch(m.ns.now(), { groups: ["link"], listExisting: true });
      const links = [];
      for await (const e of own) {
        if (e.type === "link") links.push(e.link.name);
        if (e.type === "synced") break;
      }
      const other = m.watch(m.ns.name(${JSON.stringify(spaces[0])}));
      const refused = await other.ready.then(() => null, (err) => err.message);
      // Every named namespace: none can be heard, so the watch fails rather than wait on, deaf.
      const named = m.watch({ named: true });
      const namedRefused = await named.ready.then(() => null, (err) => err.message);
      const next = await named.next().then(() => null, (err) => err.code);
      console.log(JSON.stringify({ links, refused, namedRefused, next }));`);
    expect(seen.links).toContain("lo");
    expect(seen.refused).toMatch(/EPERM.*CAP_NET_BROADCAST/);
    expect(seen.namedRefused).toMatch(/EPERM.*CAP_NET_BROADCAST/);
    expect(seen.next).toBe("EPERM");
  });

  it("refuses every named namespace of a dir with none yet, without CAP_NET_BROADCAST, at its start (not at the first found)", () => {
    // A dir of this file's own: whatever /run/netns holds, this one holds no namespace.
    const empty = `/tmp/${prefix}-empty`;
    mkdirSync(empty, { mode: 0o755 });
    try {
      const seen = scriptAsNobody<{ ready: string; next: string }>(`
        const named = m.watch({ named: true, dir: ${JSON.stringify(empty)} });
        const ready = await named.ready.then(() => "ready", (err) => err.message);
        const next = await named.next().then(() => "an event", (err) => err.code);
        console.log(JSON.stringify({ ready, next }));`);
      expect(seen.ready).toMatch(/EPERM.*CAP_NET_BROADCAST/);
      expect(seen.next).toBe("EPERM");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("refuses a missing namespace with a typed error naming it, leaking nothing", async () => {
    const before = fdCount();
    const stream = watch([ns.name(spaces[0] as string), ns.name(`${prefix}none`)]);
    await expect(stream.ready).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND", message: expect.stringContaining(`${prefix}none`) });
    await expect(stream.next()).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
    await stream.close();
    expect(fdCount()).toBe(before);
    expect(() => watch(ns.name(spaces[0] as string), { groups: ["links" as never] })).toThrow(/groups\[0\]/);
    expect(() => watch(ns.create())).toThrow(/provider/);
  });
});
