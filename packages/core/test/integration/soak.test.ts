import { na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, fdCount, heldNamespaceInodes, inodeOf, ip, socketNamespaceInodes, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix();
const names = Array.from({ length: 100 }, (_, i) => `${prefix}${i}`);

beforeAll(() => {
  for (const n of names) ip("netns", "add", n);
});
afterAll(() => cleanup(prefix));

it("2,000 operations over 100 namespaces leak no descriptor, and descriptors stay bounded", async () => {
  const before = fdCount();
  const pool = new Pool({ size: 4, maxSocketsPerWorker: 16 });
  let peak = 0;
  for (let round = 0; round < 10; round++) {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const target = ns.name(names[(round * 200 + i) % names.length] as string);
        return nsDoOn(pool, target, na.links(), na.handle()).then((r) => r.results[1].close());
      }),
    );
    peak = Math.max(peak, fdCount());
  }
  // Bounded by the cap (4 workers x 16 namespaces, a descriptor and a socket each), not by the 100 namespaces touched.
  expect(peak - before).toBeLessThan(4 * 16 * 2 + 40);
  await pool.close();
  expect(fdCount()).toBe(before);
});

it("no namespace is kept alive by a socket after neslink deletes it", async () => {
  const pool = new Pool({ size: 2 });
  const name = `${prefix}gone`;
  await nsDoOn(pool, ns.createNamed(name), na.links());
  const ino = inodeOf(`/run/netns/${name}`);
  // The worker now holds a netlink socket in that namespace.
  await nsDoOn(pool, ns.name(name), na.links());
  expect(socketNamespaceInodes()).toContain(ino);
  await nsDoOn(pool, ns.now(), na.deleteNamed(name));
  // Forgetting is asynchronous to the delete's caller; one more round trip to every worker settles it.
  await Promise.all([nsDoOn(pool, ns.now(), na.links()), nsDoOn(pool, ns.create(), na.links()).then((r) => r.created?.close())]);
  expect(heldNamespaceInodes()).not.toContain(ino);
  expect(socketNamespaceInodes()).not.toContain(ino);
  await pool.close();
});
