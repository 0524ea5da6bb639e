/**
 * watch() of a namespace that never stops changing: a link flapping under
 * thousands of addresses. Each flap makes the stream dump the namespace again
 * (IPv4 routes go without a word when a link goes down), and the flapping
 * tears those dumps (NLM_F_DUMP_INTR) try after try. The stream goes on, and
 * its state matches the kernel's once the flapping stops.
 */
import { spawn } from "node:child_process";
import { applyEvent, emptyState, ns, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wc");
const name = `${prefix}a`;

afterAll(() => cleanup(prefix));

function batch(lines: string[]): Promise<number | null> {
  const child = spawn("ip", ["-n", name, "-batch", "-"], { stdio: ["pipe", "ignore", "inherit"] });
  child.stdin.end(`${lines.join("\n")}\n`);
  return new Promise((resolve) => child.on("close", resolve));
}

it("goes on through dumps torn by a namespace that keeps changing, and ends with its state", async () => {
  ip("netns", "add", name);
  ip("-n", name, "link", "add", "br0", "type", "bridge");
  ip("-n", name, "link", "set", "br0", "up");
  expect(await batch(Array.from({ length: 3000 }, (_, i) => `addr add 10.${i >> 8}.${i & 255}.1/32 dev br0`))).toBe(0);
  const stream = watch(ns.name(name), { groups: ["link", "address", "route"], listExisting: true });
  const state = emptyState();
  let failure: unknown;
  let synced = false;
  const reading = (async () => {
    try {
      for await (const e of stream) {
        if (e.type === "synced") synced = true;
        if (e.type === "link" || e.type === "address" || e.type === "route") applyEvent(state, e);
      }
    } catch (err) {
      failure = err;
    }
  })();
  await stream.ready;
  const flaps = Array.from({ length: 300 }, () => ["link set br0 down", "link set br0 up"]).flat();
  expect(await batch(flaps)).toBe(0);
  const addresses = () =>
    ipJson<{ addr_info: { local: string }[] }[]>("-n", name, "addr", "show").flatMap((l) => l.addr_info.map((a) => a.local));
  const expected = addresses().sort();
  const heard = () => [...state.addresses.values()].map((a) => a.local ?? a.address).sort();
  for (let i = 0; i < 600 && failure === undefined && JSON.stringify(heard()) !== JSON.stringify(expected); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await stream.close();
  await reading;
  expect(failure).toBeUndefined();
  expect(synced).toBe(true);
  expect(heard()).toEqual(expected);
  const links = ipJson<{ ifindex: number; ifname: string; flags: string[] }[]>("-n", name, "link", "show");
  expect([...state.links.values()].map((l) => `${l.index} ${l.name} ${l.up}`).sort()).toEqual(
    links.map((l) => `${l.ifindex} ${l.ifname} ${l.flags.includes("UP")}`).sort(),
  );
}, 90_000);
