/**
 * An nsid taken back and given again. The kernel gives the lowest free id,
 * so a namespace given one as a watch registers it may get the id of one
 * destroyed a moment before, whose RTM_DELNSID is still queued: that end is
 * the earlier holder's, and the watched namespace, alive, must not be said
 * `gone` (watchGone would resolve, `monitor -n` exit, a list's watch end).
 */
import { type EventStream, ns, watch } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("er");

afterAll(() => {
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
          if (e.type === "gone") gone.push(e.ns);
          if (e.type === "link" && e.link.name === "mark") heard.add(e.ns);
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
});
