/**
 * A watch's memory while its consumer takes nothing and the kernel floods a
 * watched namespace: bounded by maxQueued, whether the consumer merely does
 * not pull (its events are queued, then dropped) or its whole thread does not
 * run (blocked in a write to a full pipe, in a synchronous call: the listener
 * thread's events then wait in the port, and count against maxQueued too).
 * Once the consumer reads again, the stream says so (`resync`) and lists the
 * state again: the link's last mtu, as iproute2 shows it.
 */
import { execFile, execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyEvent, emptyState, ns, type WatchEvent, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wm");
const CHANGES = 400_000;

afterAll(() => cleanup(prefix));

/** The most this process's resident memory has been, in bytes (VmHWM: a peak, whenever it came). */
function peakRss(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  return Number(kb) * 1024;
}

/**
 * CHANGES mtu changes of `link` in `name`, by one `ip -batch`; `blocked`: this thread waits for it, taking nothing meanwhile.
 * The batch is written to a file a chunk at a time: this process's memory is the watch's, not the batch's.
 */
async function flood(name: string, link: string, blocked: boolean): Promise<void> {
  const file = join(tmpdir(), `${prefix}-batch`);
  const fd = openSync(file, "w");
  try {
    for (let done = 0; done < CHANGES; done += 10_000) {
      const lines = Array.from({ length: 10_000 }, (_, i) => `link set dev ${link} mtu ${1400 + (i % 2)}\n`);
      writeSync(fd, lines.join(""));
    }
    writeSync(fd, `link set dev ${link} mtu 1300\n`);
    closeSync(fd);
    if (blocked) execFileSync("ip", ["-n", name, "-batch", file]);
    else
      await new Promise((resolve, reject) =>
        execFile("ip", ["-n", name, "-batch", file], (err) => (err ? reject(err) : resolve(undefined))),
      );
  } finally {
    rmSync(file, { force: true });
  }
}

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
    // The peak is counted from here (clear_refs 5 resets VmHWM): the other case's is not this one's.
    writeFileSync("/proc/self/clear_refs", "5");
    const start = process.memoryUsage().rss;
    await flood(name, link, blocked);
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
    expect(peakRss() - start).toBeLessThan(150 * 1024 * 1024);
    expect(seen).toContainEqual({ type: "resync", ns: name, reason: "slow-consumer" });
    expect(ipJson<{ mtu: number }[]>("-n", name, "link", "show", link)[0]?.mtu).toBe(1300);
  },
  180_000,
);
