/**
 * watch() of a namespace that never stops changing: a link flapping under
 * thousands of addresses. Each flap makes the stream dump the namespace again
 * (IPv4 routes go without a word when a link goes down), and the flapping
 * tears those dumps (NLM_F_DUMP_INTR) try after try. The stream goes on, and
 * its state matches the kernel's once the flapping stops. A watch started
 * while it flaps is listed once a dump gets through.
 */
import { spawn } from "node:child_process";
import { applyEvent, emptyState, type NamespaceState, ns, watch } from "@neslink/core";
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

// IPv4 only: br0's IPv6 link-local address comes and goes on its own with duplicate address detection after each flap.
const addresses = () =>
  ipJson<{ addr_info: { family: string; local: string }[] }[]>("-n", name, "-4", "addr", "show")
    .flatMap((l) => l.addr_info.map((a) => a.local))
    .sort();
const heard = (state: NamespaceState) =>
  [...state.addresses.values()]
    .filter((a) => a.family === 2)
    .map((a) => a.local ?? a.address)
    .sort();
const links = () =>
  ipJson<{ ifindex: number; ifname: string; flags: string[] }[]>("-n", name, "link", "show")
    .map((l) => `${l.ifindex} ${l.ifname} ${l.flags.includes("UP")}`)
    .sort();
const linksOf = (state: NamespaceState) => [...state.links.values()].map((l) => `${l.index} ${l.name} ${l.up}`).sort();
const flaps = (n: number) => Array.from({ length: n }, () => ["link set br0 down", "link set br0 up"]).flat();

/** Waits for `ok`, as long as a busy host may need: the assertions after it say what did not come. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
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
  expect(await batch(flaps(300))).toBe(0);
  const expected = { addresses: addresses(), links: links() };
  const now = () => ({ addresses: heard(state), links: linksOf(state) });
  await until(() => failure !== undefined || JSON.stringify(now()) === JSON.stringify(expected));
  await stream.close();
  await reading;
  expect(failure).toBeUndefined();
  expect(synced).toBe(true);
  expect(now()).toEqual(expected);
}, 90_000);

it("starts watching a namespace while it flaps, and lists it once a dump gets through", async () => {
  const flapping = batch(flaps(2000));
  // Several at once: each first dump is likely torn.
  const watches = [0, 1, 2].map(() => {
    const stream = watch(ns.name(name), { groups: ["address"], listExisting: true });
    const state = emptyState();
    let synced = false;
    const reading = (async () => {
      for await (const e of stream) {
        if (e.type === "address") applyEvent(state, e);
        if (e.type === "synced") synced = true;
      }
    })();
    return { stream, state, reading, synced: () => synced };
  });
  const ready = await Promise.allSettled(watches.map((w) => w.stream.ready));
  expect(await flapping).toBe(0);
  for (const w of watches) await w.stream.close();
  const failures = await Promise.allSettled(watches.map((w) => w.reading));
  expect(ready.map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : "ready"))).toEqual(["ready", "ready", "ready"]);
  expect(failures.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
  const expected = addresses();
  for (const w of watches) {
    expect(w.synced()).toBe(true);
    expect(heard(w.state)).toEqual(expected);
  }
}, 90_000);
