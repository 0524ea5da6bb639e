/**
 * A consumer that falls more than maxQueued events behind: its queue is
 * dropped and the namespace's whole state is listed again once it reads
 * again. The relisting reaches even a consumer slower than it arrives, and a
 * namespace's end is never dropped with the rest.
 */
import { execFileSync } from "node:child_process";
import { applyEvent, emptyState, ns, type WatchEvent, watch, watchGone } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, floodMtu, holdUntilNetlinkRead, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ws");
const LINKS = 1500;

afterAll(() => cleanup(prefix));

/** More than maxQueued (1024) events while nobody reads: ifb links, which a group deletes at once. */
function manyLinks(name: string): void {
  const lines = Array.from({ length: LINKS }, (_, i) => `link add s${i} group 77 type ifb`).join("\n");
  execFileSync("ip", ["-n", name, "-batch", "-"], { input: `${lines}\n` });
}

/** A macrotask: batches of events from the listener land between two reads. */
const slowly = () => new Promise((resolve) => setImmediate(resolve));

it("relists the whole state once to a consumer slower than the relisting arrives", async () => {
  const name = `${prefix}a`;
  ip("netns", "add", name);
  const stream = watch(ns.name(name), { groups: ["link"], maxQueued: 1024 });
  await stream.ready;
  manyLinks(name);
  // Nobody reads until the listener has read them all: the events pile up past maxQueued (a second's pause let a
  // listener slow to run on a loaded machine post too few).
  expect(holdUntilNetlinkRead()).toBe(true);
  const seen: WatchEvent[] = [];
  const timer = setTimeout(() => void stream.close(), 30_000);
  for await (const e of stream) {
    seen.push(e);
    if (e.type === "synced") break;
    await slowly();
  }
  clearTimeout(timer);
  await stream.close();
  const resyncs = seen.filter((e) => e.type === "resync");
  expect(resyncs).toEqual([{ type: "resync", netns: name, reason: "slow-consumer" }]);
  expect(seen.at(-1)).toEqual({ type: "synced", netns: name });
  const state = emptyState();
  for (const e of seen.slice(seen.indexOf(resyncs[0] as WatchEvent))) if (e.type === "link") applyEvent(state, e);
  const shown = ipJson<{ ifindex: number; ifname: string }[]>("-n", name, "link", "show");
  expect([...state.links.values()].map((l) => `${l.index} ${l.name}`).sort()).toEqual(shown.map((l) => `${l.ifindex} ${l.ifname}`).sort());
  ip("-n", name, "link", "del", "group", "77");
}, 60_000);

it("keeps a namespace's end through a drop: the iteration of its watch ends", async () => {
  const name = `${prefix}b`;
  ip("netns", "add", name);
  const stream = watch(ns.name(name), { groups: ["link"], maxQueued: 1024 });
  await stream.ready;
  const { gone } = await watchGone(ns.name(name));
  manyLinks(name);
  ip("netns", "del", name);
  // Nobody reads until the kernel has destroyed the namespace.
  await gone;
  const seen: WatchEvent[] = [];
  const timer = setTimeout(() => void stream.close(), 30_000);
  for await (const e of stream) seen.push(e);
  clearTimeout(timer);
  expect(seen.at(-1)).toEqual({ type: "gone", netns: name });
}, 60_000);

it("keeps a namespace's end queued before a drop: a drop for another namespace's flood does not take it", async () => {
  const [ended, busy] = [`${prefix}c`, `${prefix}d`];
  const link = `${prefix}v`;
  ip("netns", "add", ended);
  ip("netns", "add", busy);
  ip("-n", busy, "link", "add", link, "type", "veth", "peer", "name", `${prefix}p`);
  const stream = watch([ns.name(ended), ns.name(busy)], { groups: ["link"], maxQueued: 1024 });
  await stream.ready;
  const { gone } = await watchGone(ns.name(ended));
  ip("netns", "del", ended);
  // The kernel has said so to every socket: the stream's `gone` comes before any event of the flood.
  await gone;
  await floodMtu(busy, link, 5000, 1300);
  const seen: WatchEvent[] = [];
  const state = emptyState();
  const timer = setTimeout(() => void stream.close(), 30_000);
  for await (const e of stream) {
    if (e.type !== "link") seen.push(e);
    else applyEvent(state, e);
    if ([...state.links.values()].find((l) => l.name === link)?.mtu === 1300) break;
  }
  clearTimeout(timer);
  await stream.close();
  expect(seen).toContainEqual({ type: "resync", netns: busy, reason: "slow-consumer" });
  expect(seen).toContainEqual({ type: "gone", netns: ended });
  expect(ipJson<{ mtu: number }[]>("-n", busy, "link", "show", link)[0]?.mtu).toBe(1300);
}, 60_000);
