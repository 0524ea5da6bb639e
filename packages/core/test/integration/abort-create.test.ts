/**
 * A task aborted while it runs ends its worker thread. What that thread had
 * open through koffi at that moment must go with it: a create holds its
 * entry's file open and flock'ed from the claim to the mount, and a socket
 * opened in the new namespace to mark its loopback. Left open, the lock
 * made every later create of that name ERR_NS_EXISTS and every delete EBUSY
 * for as long as the process lived, and the socket kept its namespace alive.
 */
import { readdirSync } from "node:fs";
import { closeDefaultPool, lp, na, ns, nsDo } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, inodeOf, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ab");
afterAll(() => cleanup(prefix));

/** The entries of `/run/netns` whose name starts with ours. */
const ours = () => readdirSync("/run/netns").filter((n) => n.startsWith(prefix));

describe("creates aborted while they run", () => {
  it("leave no lock, socket or descriptor behind: every name can be deleted and made again at once", async () => {
    const hostNs = inodeOf("/proc/self/ns/net");
    const names = Array.from({ length: 40 }, (_, i) => `${prefix}n${i}`);
    try {
      for (let round = 0; round < 5; round++) {
        // The workers started and ready, so that the aborts find creates running rather than still queued.
        await Promise.all(names.map(() => nsDo(ns.now(), na.links())));
        await Promise.all(
          names.map(async (name, i) => {
            const controller = new AbortController();
            // Spread over the creates' run, so that some aborts find their task under way (claimed, unshared, marking lo).
            setTimeout(() => controller.abort(), (i * 7) % 9);
            await nsDo(ns.createNamed(name, undefined, { loAlias: `${prefix}:${name}` }), na.link(lp.bridge("br0")), {
              signal: controller.signal,
            }).catch(() => {});
          }),
        );
        // Each entry left (a namespace, or the stale file of a create cut short) is deleted at once, not after the
        // 5 s a delete waits for a lock to be released, then failing with EBUSY.
        const deleted = await Promise.allSettled(ours().map((name) => nsDo(ns.now(), na.deleteNamed(name))));
        expect(deleted.filter((d) => d.status === "rejected").map((d) => (d as PromiseRejectedResult).reason.message)).toEqual([]);
        expect(ours()).toEqual([]);
      }
      // And made again, each name.
      const made = await Promise.allSettled(names.map((name) => nsDo(ns.createNamed(name))));
      expect(made.filter((m) => m.status === "rejected").map((m) => (m as PromiseRejectedResult).reason.message)).toEqual([]);
      await Promise.all(names.map((name) => nsDo(ns.now(), na.deleteNamed(name))));
    } finally {
      await closeDefaultPool();
    }
    // No socket of this process is left in a namespace of the test's: each would keep it alive, nameless.
    expect(socketNamespaceInodes().filter((ino) => ino !== hostNs)).toEqual([]);
  }, 120_000);
});
