/**
 * A provider made with ns.handle(h) while h was open, used after h.close():
 * the descriptor's number is the next open()'s, here a namespace of our own.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { closeDefaultPool, exec, linkDo, lp, type NsHandle, type NsProvider, na, ns, nsDo, type WatchEvent, watch } from "@neslink/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, linksIn, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("hr");
const [nsA, nsB] = [`${prefix}a`, `${prefix}b`];

beforeAll(async () => {
  await nsDo(ns.now(), na.createNamed(nsA), na.createNamed(nsB));
});

let reused: number | undefined;

afterEach(() => {
  if (reused !== undefined) closeSync(reused);
  reused = undefined;
});

afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
});

/** ns.handle of a handle on nsA, the handle closed, and its descriptor's number given to nsB. */
async function staleProvider(): Promise<{ provider: NsProvider; handle: NsHandle }> {
  const {
    results: [handle],
  } = await nsDo(ns.name(nsA), na.handle());
  const provider = ns.handle(handle);
  handle.close();
  // The lowest free number: the one just closed (no other code runs on this thread in between, the pool is idle).
  reused = openSync(`/run/netns/${nsB}`, "r");
  expect(reused).toBe(handle.fd);
  // A worker now holds a socket in nsB: work found to be for nsB could use it without opening anything.
  await nsDo(ns.name(nsB), na.links());
  return { provider, handle };
}

const linkNames = (name: string) => linksIn(name).map((l) => l.ifname);

describe("a provider from ns.handle(h), used after h.close()", () => {
  it("is refused, typed, when given as made; nothing is done in the namespace now at its number", async () => {
    const { provider } = await staleProvider();
    await expect(nsDo(provider, na.link(lp.new({ type: "ifb", name: `${prefix}x` })))).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      message: expect.stringMatching(/closed/),
    });
    await expect(exec(provider, ["ip", "link", "add", `${prefix}y`, "type", "ifb"])).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    expect(linkNames(nsB)).toEqual(["lo"]);
    expect(linkNames(nsA)).toEqual(["lo"]);
  });

  it("is refused, typed, when it was copied as data (no tie to the handle left): the namespace at the number is not its own", async () => {
    const { provider } = await staleProvider();
    const copy = JSON.parse(JSON.stringify(provider)) as NsProvider;
    const refused = { code: "ERR_INVALID_ARGUMENT", message: expect.stringMatching(/closed/) };
    await expect(nsDo(copy, na.link(lp.new({ type: "ifb", name: `${prefix}x` })))).rejects.toMatchObject(refused);
    await expect(exec(copy, ["ip", "link", "add", `${prefix}y`, "type", "ifb"])).rejects.toMatchObject(refused);
    // As where a link is put: a veth's peer, and a link moved.
    await expect(linkDo(ns.name(nsA), lp.veth(`${prefix}v`, { name: `${prefix}p`, ns: copy }))).rejects.toMatchObject(refused);
    await linkDo(ns.name(nsA), lp.new({ type: "ifb", name: `${prefix}m` }));
    await expect(nsDo(ns.name(nsA), na.setLinkNs(lp.name(`${prefix}m`), copy))).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    expect(linkNames(nsB)).toEqual(["lo"]);
    expect(linkNames(nsA)).toEqual(["lo", `${prefix}m`]);
  });

  it("is refused by watch(), typed, given as made or copied as data: the namespace at the number is not watched", async () => {
    const { provider } = await staleProvider();
    const refused = { code: "ERR_INVALID_ARGUMENT", message: expect.stringMatching(/closed/) };
    expect(() => watch(provider)).toThrow(expect.objectContaining(refused));
    const stream = watch(JSON.parse(JSON.stringify(provider)) as NsProvider, { listExisting: true });
    try {
      await expect(stream.ready).rejects.toMatchObject(refused);
      await expect(stream.next()).rejects.toMatchObject(refused);
    } finally {
      await stream.close();
    }
  });

  it("an open handle's provider is watched, also copied as data: a link iproute2 adds there is heard", async () => {
    const {
      results: [handle],
    } = await nsDo(ns.name(nsB), na.handle());
    const stream = watch(JSON.parse(JSON.stringify(ns.handle(handle))) as NsProvider, { groups: ["link"] });
    try {
      await stream.ready;
      ip("-n", nsB, "link", "add", `${prefix}w`, "type", "ifb");
      let heard: WatchEvent | undefined;
      for await (const event of stream) {
        if (event.type === "link" && event.link.name === `${prefix}w`) {
          heard = event;
          break;
        }
      }
      expect(heard).toMatchObject({ type: "link", action: "new", netns: `/proc/${process.pid}/fd/${handle.fd}` });
    } finally {
      await stream.close();
      handle.close();
      // Gone already if the add failed; the tests after this one count nsB's links.
      spawnSync("ip", ["-n", nsB, "link", "del", `${prefix}w`]);
    }
  });

  it("an open handle's provider works as before, also copied as data", async () => {
    const {
      results: [handle],
    } = await nsDo(ns.name(nsB), na.handle());
    try {
      const copy = JSON.parse(JSON.stringify(ns.handle(handle))) as NsProvider;
      await nsDo(copy, na.link(lp.new({ type: "ifb", name: `${prefix}o` })));
      expect(linkNames(nsB)).toEqual(["lo", `${prefix}o`]);
    } finally {
      handle.close();
    }
  });
});
