/**
 * A program that starts and drains servers again and again (a test rig, a
 * supervisor that reloads its configuration) must not keep the old ones: a
 * drained server, once its last reference is dropped, is garbage.
 */
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createServer, listen } from "../../src/server.js";

// Node's own switch for a test that must see what the collector keeps: `gc` from a fresh context.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const token = randomBytes(24).toString("hex");

function health(base: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(`${base}/v1/health`, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    }).on("error", reject);
  });
}

/** Starts a server, makes a request, drains it; only a WeakRef to it is left. */
async function startAndDrain(): Promise<WeakRef<object>> {
  const server = createServer({ token });
  const base = await listen(server, { host: "127.0.0.1", port: 0 });
  expect(await health(base)).toBe(200);
  await server.drain();
  return new WeakRef(server);
}

describe("servers started and drained, one after another", () => {
  it("are collected once dropped: nothing of a drained server keeps it (its connection-timeout checks stop)", async () => {
    const drained: WeakRef<object>[] = [];
    for (let round = 0; round < 20; round++) drained.push(await startAndDrain());
    // Closed sockets let go of their server on a later turn of the loop; a leak keeps it for good, so waiting costs nothing.
    for (let pass = 0; pass < 50 && drained.some((ref) => ref.deref() !== undefined); pass++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      collect();
    }
    expect(drained.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});
