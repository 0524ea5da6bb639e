/**
 * An nsid taken back and given again. The kernel gives the lowest free id,
 * so a namespace given one as a watch registers it may get the id of one
 * destroyed a moment before, whose RTM_DELNSID is still queued: that end is
 * the earlier holder's, and the watched namespace, alive, must not be said
 * `gone` (watchGone would resolve, `monitor -n` exit, a list's watch end).
 */
import { mkdirSync } from "node:fs";
import { type EventStream, ns, watch } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { watchProcess } from "./held-listener.js";
import { cleanup, ip, until as within, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";
import { dropNamespace, inNamespace, makeNamespace, nsidAt, takeNsid } from "./private-namespaces.js";

const prefix = uniquePrefix("er");
const dir = privateMountDir(prefix);

afterAll(() => {
  removeMountDir(dir);
  cleanup(prefix);
});

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("watch while other namespaces end", () => {
  it("never says `gone` of a live namespace given the id of one just destroyed", async () => {
    for (let round = 0; round < 6; round++) {
      const ending = Array.from({ length: 30 }, (_, i) => `${prefix}r${round}z${i}`);
      const watched = Array.from({ length: 30 }, (_, i) => `${prefix}r${round}a${i}`);
      for (const name of ending) {
        ip("netns", "add", name);
        ip("netns", "set", name, "auto");
      }
      for (const name of watched) ip("netns", "add", name);
      // Ends once every one of them is destroyed.
      const ends = watch(
        ending.map((name) => ns.name(name)),
        { groups: [] },
      );
      await ends.ready;
      const stream: EventStream = watch(
        watched.map((name) => ns.name(name)),
        { groups: ["link"] },
      );
      const gone: string[] = [];
      const heard = new Set<string>();
      const reading = (async () => {
        for await (const e of stream) {
          if (e.type === "gone") gone.push(e.netns);
          if (e.type === "link" && e.link.name === "mark") heard.add(e.netns);
        }
      })();
      try {
        // The ends land at various points of the registration.
        await new Promise((resolve) => setTimeout(resolve, round * 15));
        for (const name of ending) ip("netns", "del", name);
        await stream.ready;
        for await (const _ of ends);
        // Heard after every end before it: once each watched namespace's mark is heard (or its `gone`), all are handled.
        for (const name of watched) ip("-n", name, "link", "add", "mark", "type", "veth", "peer", "name", "mark1");
        await until(() => watched.every((name) => heard.has(name) || gone.includes(name)), "every mark heard");
        expect(gone, `round ${round}`).toEqual([]);
      } finally {
        await ends.close();
        await stream.close();
        await reading;
        for (const name of watched) ip("netns", "del", name);
      }
    }
  });

  it("gives a namespace none of the events an earlier holder of its nsid left queued, and says that one's `gone`", async () => {
    mkdirSync(dir, { recursive: true });
    const [first, second] = [`${dir}/f`, `${dir}/s`];
    makeNamespace(first);
    const watcher = await watchProcess({ named: true, dir }, { groups: ["link"] });
    try {
      const nsid = nsidAt(first);
      expect(nsid, "the watch gave it an nsid").toBeGreaterThanOrEqual(0);
      await watcher.hold();
      // The dir's watcher (the main thread) finds `second` and asks the held listener to add it.
      makeNamespace(second);
      expect(await within(() => watcher.signalled(), 10_000), "the listener is asked to add it").toBe(true);
      // Queued for the listener, tagged with the nsid: `first`'s last links, then its end.
      inNamespace(first, "ip", "link", "add", "ghost", "type", "veth", "peer", "name", "ghost1");
      dropNamespace(first);
      // Its id given again once the kernel takes it back (destroying it), as the kernel gives the lowest free one.
      expect(takeNsid(second, nsid, 20_000), "its id is given to another").toBe(true);
      // Run again, the listener adds `second` (the id of what it then reads is that one's) before reading those.
      watcher.release();
      inNamespace(second, "ip", "link", "add", "mark", "type", "veth", "peer", "name", "mark1");
      const links = () => watcher.events.flatMap((e) => (e.type === "link" && e.netns === second ? [e.link.name] : []));
      expect(await within(() => links().includes("mark"), 20_000), "its own link is heard").toBe(true);
      expect(links().sort()).toEqual(["lo", "mark", "mark1"]);
      expect(watcher.events.filter((e) => e.type === "gone").map((e) => e.netns)).toEqual([first]);
    } finally {
      watcher.end();
    }
  });
});
