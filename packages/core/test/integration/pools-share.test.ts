// A worker keeps a socket and a descriptor on each namespace it worked in, and
// they keep the namespace alive after its name is gone, with its links (a veth's
// far end stays in the host). A deletion must make every open pool of the
// process let go, not only the pool that deleted: two pools in one program, or
// two copies of core (import and require), each with its default pool.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, heldNamespaceInodes, inodeOf, ip, ipJson, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ps");
const SCRIPT = fileURLToPath(new URL("../fixtures/two-copies.mjs", import.meta.url));
/** The kernel destroys a namespace asynchronously once nothing holds it: its far ends go within this, here well under a second. */
/**
 * How long the kernel may take to destroy a namespace nothing holds: one host-wide queue does it, behind whatever other
 * tests deleted before (thousands, after named-crash or events-flood: 20-30 s). Only a namespace still held waits it out.
 */
const DESTROYED_WITHIN_MS = FAIL_AFTER_MS;

afterAll(() => cleanup(prefix));

/** A named namespace with a veth whose far end, `${name}h`, is in this (the host) namespace. */
function withHostPeer(name: string): string {
  ip("netns", "add", name);
  ip("-n", name, "link", "add", "v0", "type", "veth", "peer", "name", `${name}h`, "netns", "1");
  return `${name}h`;
}

const hostHas = (link: string) => ipJson<{ ifname: string }[]>("link", "show").some((l) => l.ifname === link);

async function goneWithin(link: string, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; hostHas(link) && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return !hostHas(link);
}

it("a namespace deleted through one pool is let go by another pool that worked in it", async () => {
  const name = `${prefix}a`;
  const peer = withHostPeer(name);
  const inode = inodeOf(`/run/netns/${name}`);
  // Sockets idle for a day: without the fix, pool a would hold the namespace that long.
  const a = new Pool({ size: 1, socketIdleMs: 86_400_000 });
  const b = new Pool({ size: 1 });
  try {
    await nsDoOn(a, ns.name(name), na.links());
    expect(socketNamespaceInodes()).toContain(inode);
    await nsDoOn(b, ns.now(), na.deleteNamed(name));
    expect(socketNamespaceInodes()).not.toContain(inode);
    expect(heldNamespaceInodes()).not.toContain(inode);
    expect(await goneWithin(peer, DESTROYED_WITHIN_MS)).toBe(true);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

it("a closed pool is asked nothing: deleting after one closed works and returns", async () => {
  const name = `${prefix}c`;
  const peer = withHostPeer(name);
  const a = new Pool({ size: 1 });
  const b = new Pool({ size: 1 });
  try {
    await nsDoOn(a, ns.name(name), na.links());
    await a.close();
    await nsDoOn(b, ns.now(), na.deleteNamed(name));
    expect(await goneWithin(peer, DESTROYED_WITHIN_MS)).toBe(true);
  } finally {
    await b.close();
  }
});

it("so is one deleted by another copy of core in the process (import and require)", () => {
  const name = `${prefix}d`;
  const peer = withHostPeer(name);
  const out = execFileSync(process.execPath, [SCRIPT, name, peer, String(DESTROYED_WITHIN_MS)], { encoding: "utf8", timeout: 60_000 });
  expect(JSON.parse(out)).toEqual({ distinct: true, peerGone: true });
  expect(hostHas(peer)).toBe(false);
});
