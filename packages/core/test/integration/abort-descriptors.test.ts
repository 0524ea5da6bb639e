/**
 * A task ended (aborted, timed out) while its worker opens or closes a
 * descriptor leaves nothing open. The pool ends a worker with
 * worker.terminate(), which V8 carries out at the thread's next JavaScript
 * function entry: one that landed after socket(2) or open(2) had returned
 * and before the descriptor was recorded left it open and unrecorded, for
 * the process's life, keeping its namespace alive (abort-create.test.ts
 * failed so about once in 25 runs on a loaded machine). Here the task is
 * mostly opens and closes (a guarded deletion that skips namespaces not
 * the caller's: for each, its entry opened, a socket opened inside to read
 * its loopback, both closed), so many ends land in such a window.
 */
import { performance } from "node:perf_hooks";
import { AbortedError, na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, heldNamespaceInodes, inodeOf, netnsList, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ad");
const names = Array.from({ length: 100 }, (_, i) => `${prefix}n${i}`);
/** Deletions guarded by an alias none of them has: each namespace is read and left alone. */
const skipAll = names.map((name) => na.deleteNamed(name, "/run/netns", { loAliasPrefix: `${prefix}-not-this` }));
const pool = new Pool({ size: 1 });

beforeAll(async () => {
  await nsDoOn(pool, ns.now(), ...names.map((name) => na.createNamed(name)));
});
afterAll(async () => {
  await pool.close();
  cleanup(prefix);
});

describe("a worker ended while it opens and closes descriptors", () => {
  it("leaves no socket or namespace descriptor open in the namespaces it read", async () => {
    const ours = new Set(names.map((name) => inodeOf(`/run/netns/${name}`)));
    // How long the whole run takes, to spread the aborts over it.
    const start = performance.now();
    const { results } = await nsDoOn(pool, ns.now(), ...skipAll);
    const runMs = performance.now() - start;
    expect(results).toEqual(names.map(() => null));
    for (let round = 0; round < 100; round++) {
      const controller = new AbortController();
      const task = nsDoOn(pool, ns.now(), ...skipAll, { signal: controller.signal });
      setTimeout(() => controller.abort(), ((round % 10) / 10) * runMs);
      // One that finished before its abort is as good: what matters is what the ended ones left.
      const outcome = await task.then(
        () => undefined,
        (err: unknown) => err,
      );
      if (outcome !== undefined) expect(outcome).toBeInstanceOf(AbortedError);
    }
    await pool.close();
    expect(netnsList(prefix)).toHaveLength(names.length);
    // Nothing of the ended workers is left open in a namespace it read: each would keep that namespace alive once deleted.
    expect(socketNamespaceInodes().filter((ino) => ours.has(ino))).toEqual([]);
    expect(heldNamespaceInodes().filter((ino) => ours.has(ino))).toEqual([]);
  }, 120_000);
});
