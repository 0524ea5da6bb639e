/**
 * A watch's memory while its consumer takes nothing and the kernel floods a
 * watched namespace: bounded by maxQueued, whether the consumer merely does
 * not pull (its events are queued, then dropped) or its whole thread does not
 * run (blocked in a write to a full pipe, in a synchronous call: the listener
 * thread's events then wait in the port, and count against maxQueued too).
 * Once the consumer reads again, the stream says so (`resync`) and lists the
 * state again: the link's last mtu, as iproute2 shows it.
 */
import { applyEvent, emptyState, ns, type WatchEvent, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, floodMtu, ip, ipJson, resetPeakRss, rssOf, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wm");
const CHANGES = 400_000;

afterAll(() => cleanup(prefix));

it.each([
  ["the consumer's thread is blocked", true],
  ["the consumer pulls nothing", false],
])(
  "stays bounded while %s through a flood, then resyncs to the kernel's state",
  async (_, blocked) => {
    const name = `${prefix}${blocked ? "b" : "p"}`;
    const link = `${prefix}v`;
    ip("netns", "add", name);
    ip("-n", name, "link", "add", link, "type", "veth", "peer", "name", `${prefix}p`);
    const stream = watch(ns.name(name), { groups: ["link"], maxQueued: 1024 });
    await stream.ready;
    // The peak is counted from here: the other case's is not this one's.
    resetPeakRss("self");
    const start = rssOf("self", "VmRSS");
    await floodMtu(name, link, CHANGES, 1300, blocked);
    const seen: WatchEvent[] = [];
    const state = emptyState();
    // Read until the last change is heard (after the dropped ones, in the relisting or after it).
    for await (const e of stream) {
      if (e.type === "resync" || e.type === "synced") seen.push(e);
      if (e.type === "link") applyEvent(state, e);
      if ([...state.links.values()].find((l) => l.name === link)?.mtu === 1300) break;
    }
    await stream.close();
    // Here ~55 MB; without the bound, the events waiting in the port took ~300 MB more.
    expect(rssOf("self", "VmHWM") - start).toBeLessThan(150 * 1024 * 1024);
    expect(seen).toContainEqual({ type: "resync", netns: name, reason: "slow-consumer" });
    expect(ipJson<{ mtu: number }[]>("-n", name, "link", "show", link)[0]?.mtu).toBe(1300);
  },
  180_000,
);
