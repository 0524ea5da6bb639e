/**
 * A process whose Object.prototype (or Array.prototype) was polluted by a merge of untrusted data elsewhere: every
 * object then "has" the field, and an absent field of neslink's input reads as it. Seen: a veth's peer made in the
 * namespace `Object.prototype.ns` named, a program run with `Object.prototype.env`. neslink refuses all input instead.
 */
import { readFileSync, rmSync } from "node:fs";
import { closeDefaultPool, exec, linkDo, lp, na, ns, nsDo, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, linksIn, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("pp");
const [a, b, evil] = [`${prefix}a`, `${prefix}b`, `${prefix}e`];
const marker = `/tmp/${prefix}-ran`;

beforeAll(async () => {
  await Promise.all([a, b, evil].map((name) => nsDo(ns.createNamed(name))));
});

afterAll(async () => {
  await closeDefaultPool();
  cleanup(prefix);
  rmSync(marker, { force: true });
});

/** Runs `fn` with `owner[key]` set as a pollution would set it (an enumerable field), deleted after. */
async function pollutedWith<T>(owner: object, key: string, value: unknown, fn: () => Promise<T>): Promise<T> {
  (owner as Record<string, unknown>)[key] = value;
  try {
    return await fn();
  } finally {
    delete (owner as Record<string, unknown>)[key];
  }
}

/** The test's own links in `name`, as iproute2 shows them. */
const ours = (name: string) => linksIn(name).flatMap((l) => (l.ifname.startsWith(prefix) ? [l.ifname] : []));

const refusal = (field: string) => ({ code: "ERR_INVALID_ARGUMENT", field, message: expect.stringContaining("prototype pollution") });

describe("a polluted prototype", () => {
  it("makes no veth whose peer the pollution would place (Object.prototype.ns), and names the field", async () => {
    await pollutedWith(Object.prototype, "ns", ns.name(evil), async () => {
      await expect(async () => linkDo(ns.name(a), lp.veth(`${prefix}v0`, { name: `${prefix}v1` }))).rejects.toMatchObject(
        refusal("Object.prototype.ns"),
      );
    });
    for (const name of [a, b, evil]) expect(ours(name)).toEqual([]);
    // The same request once the field is gone: both ends in a, as asked.
    await linkDo(ns.name(a), lp.veth(`${prefix}v0`, { name: `${prefix}v1` }));
    expect(ours(a).sort()).toEqual([`${prefix}v0`, `${prefix}v1`]);
    expect(ip("-n", evil, "-br", "link")).not.toContain(prefix);
  });

  it("runs no program with the environment the pollution would give it (Object.prototype.env), by exec or na.exec", async () => {
    const argv = ["sh", "-c", `printenv LD_LIBRARY_PATH > ${marker}`];
    await pollutedWith(Object.prototype, "env", { LD_LIBRARY_PATH: "/polluted" }, async () => {
      await expect(async () => exec(ns.name(a), argv)).rejects.toMatchObject(refusal("Object.prototype.env"));
      await expect(async () => nsDo(ns.name(a), na.exec(argv))).rejects.toMatchObject(refusal("Object.prototype.env"));
    });
    expect(() => readFileSync(marker)).toThrow(/ENOENT/);
  });

  it("is named for Array.prototype too", async () => {
    await pollutedWith(Array.prototype, "polluted", 1, async () => {
      await expect(async () => nsDo(ns.name(b), na.links())).rejects.toMatchObject(refusal("Array.prototype.polluted"));
    });
  });

  it("stops a plan of a topology loaded before it: an interface's absent mtu is not read as Object.prototype.mtu", async () => {
    const lab = topology.load({ name: `${prefix}t`, nodes: { h1: {}, h2: {} }, links: [{ endpoints: ["h1:eth0", "h2:eth0"] }] });
    await pollutedWith(Object.prototype, "mtu", 1280, async () => {
      await expect(topology.apply(lab)).rejects.toMatchObject(refusal("Object.prototype.mtu"));
      // A file loaded meanwhile is refused naming the pollution, not "exec: is not a known field" for every node.
      expect(() => topology.load({ name: `${prefix}u`, nodes: { h1: {} } })).toThrow(/Object\.prototype\.mtu: .*prototype pollution/);
    });
    expect(ip("netns", "list")).not.toContain(`${prefix}t-`);
  });
});
