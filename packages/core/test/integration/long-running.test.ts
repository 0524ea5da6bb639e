/**
 * A program that runs all day (a test rig, an emulator, a server) repeats the
 * same work for hours: nothing of it may build up. Each test repeats one kind
 * of work a few dozen rounds and bounds what is left afterwards exactly.
 */
import { statSync } from "node:fs";
import { na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("lr");

afterAll(() => cleanup(prefix));

describe("a namespace deleted while a task there waits for its program", () => {
  it("is let go by the worker once the task ends, not kept alive by a socket the task reopened", async () => {
    // One worker: the task and the delete meet on it (the task waits on its program, the delete runs meanwhile).
    const pool = new Pool({ size: 1 });
    const deleted: number[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const name = `${prefix}w${round}`;
        await nsDoOn(pool, ns.createNamed(name));
        deleted.push(statSync(`/run/netns/${name}`).ino);
        // The links after the program run once it has ended, after the delete: they open a socket in the namespace again.
        const task = nsDoOn(pool, ns.name(name), na.links(), na.exec(["sleep", "0.1"]), na.links());
        await new Promise((resolve) => setTimeout(resolve, 20));
        await nsDoOn(pool, ns.now(), na.deleteNamed(name));
        const { results } = await task;
        expect(results).toHaveLength(3);
      }
      // One round trip: the worker is past every task's end.
      await nsDoOn(pool, ns.now(), na.links());
      const kept = socketNamespaceInodes();
      expect(deleted.filter((ino) => kept.includes(ino))).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
