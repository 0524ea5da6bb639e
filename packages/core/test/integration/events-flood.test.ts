/**
 * watch() under load, on the real kernel: a flood of link and address
 * changes made with iproute2 across hundreds of namespaces, with a receive
 * buffer small enough that the kernel must drop notifications, still leaves
 * a state rebuilt from the stream alone equal to what iproute2 shows at the
 * end; and 500 watched namespaces cost a handful of descriptors.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { applyEvent, emptyState, type NamespaceState, ns, type WatchEvent, watch } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, fdCount, ip, uniquePrefix } from "./kernel.js";

const run = promisify(execFile);
const prefix = uniquePrefix("ef");
const COUNT = 500;
const FLOODED = 200;
const ROUNDS = 2;
const names = Array.from({ length: COUNT }, (_, i) => `${prefix}${i}`);
const flooded = names.slice(0, FLOODED);
const scratch = mkdtempSync(join(tmpdir(), `${prefix}-`));

/** Runs `ip` commands `limit` at a time; each resolves to its stdout. */
async function ipAll(commands: string[][], limit = 8): Promise<string[]> {
  const out: string[] = new Array(commands.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < commands.length; i = next++)
      out[i] = (await run("ip", commands[i] as string[], { maxBuffer: 1 << 24 })).stdout;
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return out;
}

function batch(lines: string[]): string {
  const file = join(scratch, `batch-${Math.random().toString(16).slice(2)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

beforeAll(async () => {
  ip("-batch", batch(names.map((n) => `netns add ${n}`)));
  // IPv6 stays off in the flooded namespaces: its addresses change on their own (DAD) long after a burst.
  await ipAll(
    flooded.map((n) => ["netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]),
  );
  await ipAll(flooded.map((n) => ["-n", n, "-batch", batch(["link add va type veth peer name vb", "link set vb up", "link set lo up"])]));
}, 120_000);
afterAll(() => {
  ip("-batch", batch(names.map((n) => `netns del ${n}`)));
  cleanup(prefix);
  rmSync(scratch, { recursive: true, force: true });
});

/** Changes for one namespace: the link flaps, changes MTU, gains and loses addresses. */
function flood(round: number): string[] {
  const lines: string[] = [];
  for (let k = 0; k < 12; k++) {
    const net = round * 16 + k;
    lines.push("link set va down", `addr add 10.1.${net}.1/24 dev va`, "link set va up", `link set va mtu ${1300 + k}`);
    if (k > 0 && k % 3 === 0) lines.push(`addr del 10.1.${net - 1}.1/24 dev va`);
  }
  return lines;
}

interface Shown {
  links: string[];
  addresses: string[];
  routes: string[];
}

const tableName = (t: number) => (t === 254 ? "main" : t === 255 ? "local" : String(t));

/** What the state rebuilt from events says, in iproute2's terms (IPv4 only: IPv6 is off). */
function fromStream(state: NamespaceState): Shown {
  const nameOf = (index: number | null) => (index === null ? "" : (state.links.get(index)?.name ?? `#${index}`));
  return {
    links: [...state.links.values()]
      .map((l) => `${l.index} ${l.name} ${l.up ? "UP" : "DOWN"} ${l.mtu} ${l.operstate?.toUpperCase()}`)
      .sort(),
    addresses: [...state.addresses.values()]
      .filter((a) => a.family === 2)
      .map((a) => `${a.index} ${a.local}/${a.prefixLen}`)
      .sort(),
    routes: [...state.routes.values()]
      .filter((r) => r.family === 2)
      .map((r) => `${tableName(r.table)} ${r.dstLen === 32 ? r.dst : `${r.dst}/${r.dstLen}`} ${nameOf(r.oifIndex)}`)
      .sort(),
  };
}

/** The same, from a fresh iproute2 dump of the namespace. */
async function fromIproute2(name: string): Promise<Shown> {
  const [links, addrs, routes] = (
    await ipAll([
      ["-j", "-n", name, "link", "show"],
      ["-j", "-n", name, "-4", "addr", "show"],
      ["-j", "-n", name, "-4", "route", "show", "table", "all"],
    ])
  ).map((s) => JSON.parse(s as string));
  return {
    links: links
      .map(
        (l: { ifindex: number; ifname: string; flags: string[]; mtu: number; operstate: string }) =>
          `${l.ifindex} ${l.ifname} ${l.flags.includes("UP") ? "UP" : "DOWN"} ${l.mtu} ${l.operstate}`,
      )
      .sort(),
    addresses: addrs
      .flatMap((l: { ifindex: number; addr_info: { local: string; prefixlen: number }[] }) =>
        l.addr_info.map((a) => `${l.ifindex} ${a.local}/${a.prefixlen}`),
      )
      .sort(),
    routes: routes.map((r: { table?: string; dst: string; dev: string }) => `${r.table ?? "main"} ${r.dst} ${r.dev}`).sort(),
  };
}

it(`rebuilds the exact state of ${FLOODED} flooded namespaces from the stream, across overflows, every round`, async () => {
  // The kernel's minimum receive buffer: a few notifications fill it.
  const stream = watch(
    flooded.map((n) => ns.name(n)),
    { listExisting: true, groups: ["link", "address", "route"], receiveBuffer: 4096 },
  );
  const states = new Map(flooded.map((n) => [n, emptyState()]));
  let resyncs = 0;
  let last = Date.now();
  const consumed = (async () => {
    for await (const event of stream as AsyncIterable<WatchEvent>) {
      last = Date.now();
      if (event.type === "resync") resyncs++;
      if (event.type === "link" || event.type === "address" || event.type === "route")
        applyEvent(states.get(event.netns) as NamespaceState, event);
    }
  })();
  await stream.ready;
  for (let round = 0; round < ROUNDS; round++) {
    const before = resyncs;
    const started = Date.now();
    const file = batch(flood(round));
    await ipAll(
      flooded.map((n) => ["-n", n, "-batch", file]),
      16,
    );
    const changes = flooded.length * flood(round).length;
    console.log(`round ${round}: ${changes} changes in ${Date.now() - started} ms, ${resyncs - before} resync events`);
    // Quiet for 2 s: past the kernel's linkwatch delay (1 s) for operstate.
    while (Date.now() - last < 2000) await new Promise((r) => setTimeout(r, 250));
    expect(resyncs - before, "the buffer never overflowed: the test did not test recovery").toBeGreaterThan(0);
    for (const name of flooded) expect(fromStream(states.get(name) as NamespaceState), name).toEqual(await fromIproute2(name));
  }
  await stream.close();
  await consumed;
}, 300_000);

it(`watches ${COUNT} namespaces with a handful of descriptors, and hears the last one`, async () => {
  const before = fdCount();
  const stream = watch(
    names.map((n) => ns.name(n)),
    { groups: ["link"] },
  );
  await stream.ready;
  const during = fdCount() - before;
  console.log(`${COUNT} namespaces watched with ${during} more descriptors`);
  // The event socket, the listener's control socket, its namespace, the wake-up eventfd, and its thread's own event loop.
  expect(during).toBeLessThanOrEqual(12);
  const last = names[COUNT - 1] as string;
  ip("-n", last, "link", "add", "vz", "type", "bridge");
  for await (const e of stream) if (e.type === "link" && e.netns === last && e.link.name === "vz") break;
  expect(fdCount()).toBe(before);
}, 120_000);
