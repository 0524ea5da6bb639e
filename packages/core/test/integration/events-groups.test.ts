/**
 * A watch of some groups only. The kernel removes IPv4 routes without a word
 * when their link goes down or away, or their address goes; a watch of routes
 * alone still says so (it hears links and addresses for itself), and emits
 * nothing of what it was not asked for. What sits on a link is named by it
 * (`dev`), in a watch that emits no link too.
 */
import { applyEvent, closeDefaultPool, emptyState, ns, type WatchEvent, watch } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("eg");
const name = `${prefix}a`;
const n = (...args: string[]) => ip("-n", name, ...args);

beforeAll(() => {
  ip("netns", "add", name);
});
afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** The IPv4 routes of every table, as iproute2 shows them: "dst/len". */
function shownRoutes(): string[] {
  return ipJson<{ dst: string }[]>("-n", name, "-4", "route", "show", "table", "all")
    .map((r) => (r.dst === "default" ? "default/0" : r.dst.includes("/") ? r.dst : `${r.dst}/32`))
    .sort();
}

async function until(condition: () => boolean, what: () => string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("watch of routes only", () => {
  it.each([
    // The pair goes whole: the peer's routes too.
    ["its link deleted", ["link", "del", "r0"], ["r0", "r1"]],
    ["its link taken down", ["link", "set", "r0", "down"], ["r0"]],
    ["its address removed", ["addr", "del", "10.4.0.1/24", "dev", "r0"], ["r0"]],
  ])("drops the routes the kernel removes silently with %s, and emits only routes", async (_, change, on) => {
    n("link", "add", "r0", "type", "veth", "peer", "name", "r1");
    n("link", "set", "r0", "up");
    n("link", "set", "r1", "up");
    n("addr", "add", "10.4.0.1/24", "dev", "r0");
    n("addr", "add", "10.4.1.1/24", "dev", "r1");
    n("route", "add", "10.3.0.0/16", "via", "10.4.0.2");
    const stream = watch(ns.name(name), { groups: ["route"], listExisting: true });
    const state = emptyState();
    const types = new Set<string>();
    /** The link each route deleted was on, as the events name it. */
    const devs = new Set<string | null>();
    let synced!: () => void;
    const listed = new Promise<void>((resolve) => {
      synced = resolve;
    });
    const reading = (async () => {
      for await (const e of stream as AsyncIterable<WatchEvent>) {
        types.add(e.type);
        if (e.type === "synced") synced();
        if (e.type === "route") applyEvent(state, e);
        if (e.type === "route" && e.action === "deleted") devs.add(e.dev);
      }
    })();
    try {
      await listed;
      n(...change);
      const mine = () =>
        [...state.routes.values()]
          .filter((r) => r.family === 2)
          .map((r) => `${r.dst ?? "default"}/${r.dstLen}`)
          .sort();
      await until(
        () => JSON.stringify(mine()) === JSON.stringify(shownRoutes()),
        () => `the stream says ${JSON.stringify(mine())}, iproute2 ${JSON.stringify(shownRoutes())}`,
      );
      expect([...types].sort()).toEqual(["route", "synced"]);
      // Its link gone (from the stream's state too) before they are found gone, they are still named by it.
      expect([...devs].sort()).toEqual(on);
    } finally {
      await stream.close();
      await reading;
      // The pair, if the change left it: deleting one end deletes the other.
      if (ipJson("-n", name, "link", "show").length > 1) n("link", "del", "r1");
    }
  });
});

describe("watch of addresses only", () => {
  it("names the link each address is on, and emits no link event", async () => {
    n("link", "add", "a0", "type", "veth", "peer", "name", "a1");
    const stream = watch(ns.name(name), { groups: ["address"] });
    try {
      await stream.ready;
      n("addr", "add", "10.5.0.1/24", "dev", "a0");
      n("link", "set", "a0", "name", "a2");
      n("addr", "del", "10.5.0.1/24", "dev", "a2");
      const seen: WatchEvent[] = [];
      for await (const e of stream as AsyncIterable<WatchEvent>) {
        seen.push(e);
        if (e.type === "address" && e.action === "deleted") break;
      }
      expect(seen.map((e) => [e.type, "action" in e && e.action, "dev" in e && e.dev])).toEqual([
        ["address", "new", "a0"],
        // Renamed, the link relabels its IPv4 addresses (IFA_LABEL): said as new, under its new name.
        ["address", "new", "a2"],
        ["address", "deleted", "a2"],
      ]);
      const [link] = ipJson<{ ifname: string }[]>("-n", name, "link", "show", "a2");
      expect(link?.ifname).toBe("a2");
    } finally {
      await stream.close();
      n("link", "del", "a2");
    }
  });
});
