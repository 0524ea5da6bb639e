import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { closeDefaultPool, NamespaceEnterError, NotFoundError, na, ns, nsDo, ValidationError } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, heldNamespaceInodes, inodeOf, ip, ipJson, linksIn, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix();
const nsA = `${prefix}a`;
const providerModule = new URL("../fixtures/provider.mjs", import.meta.url).href;
let sleeper: ChildProcess | undefined;

beforeAll(() => {
  ip("netns", "add", nsA);
  ip("-n", nsA, "link", "add", `${prefix}br`, "type", "bridge");
});

afterAll(async () => {
  sleeper?.kill();
  cleanup(prefix);
  await closeDefaultPool();
});

const names = (links: { name: string }[]) => links.map((l) => l.name).sort();
const ipNames = (links: { ifname: string }[]) => links.map((l) => l.ifname).sort();

describe("namespace providers", () => {
  it("now: the caller's namespace, as `ip link show` sees it", async () => {
    const {
      results: [links],
      returned,
    } = await nsDo(ns.now(), na.links());
    expect(returned).toBe(true);
    expect(names(links)).toEqual(ipNames(ipJson("link", "show")));
  });

  it("name: a namespace in /run/netns", async () => {
    const {
      results: [links],
    } = await nsDo(ns.name(nsA), na.links());
    expect(names(links)).toEqual(ipNames(linksIn(nsA)));
    expect(names(links)).toEqual(["lo", `${prefix}br`].sort());
  });

  it("name in another mount dir (the seed's NPNameAt)", async () => {
    const dir = `/tmp/${prefix}-netns`;
    mkdirSync(dir, { recursive: true });
    try {
      const {
        results: [made],
      } = await nsDo(ns.now(), na.createNamed(`${prefix}x`, dir));
      expect(made.path).toBe(`${dir}/${prefix}x`);
      const {
        results: [links],
      } = await nsDo(ns.name(`${prefix}x`, dir), na.links());
      expect(names(links)).toEqual(["lo"]);
      // iproute2 only lists /run/netns: the other dir is invisible to it.
      expect(netnsList()).not.toContain(`${prefix}x`);
      await nsDo(ns.now(), na.deleteNamed(`${prefix}x`, dir));
    } finally {
      // Like /run/netns, the dir was made a shared mount point of its own.
      spawnSync("umount", ["-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("path, process and thread", async () => {
    sleeper = spawn("ip", ["netns", "exec", nsA, "sleep", "60"], { stdio: "ignore" });
    const pid = sleeper.pid as number;
    // Wait until the child has entered the namespace (ip execs sleep inside it).
    const target = inodeOf(`/run/netns/${nsA}`);
    for (const end = Date.now() + FAIL_AFTER_MS; inodeOf(`/proc/${pid}/ns/net`) !== target && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20));
    for (const provider of [ns.path(`/run/netns/${nsA}`), ns.process(pid), ns.thread(pid, pid)]) {
      const {
        results: [handle],
      } = await nsDo(provider, na.handle());
      expect(handle.ino).toBe(target);
      handle.close();
    }
  });

  it("create: a new anonymous namespace, kept alive by the handle until it is closed", async () => {
    const {
      results: [links],
      created,
    } = await nsDo(ns.create(), na.links());
    expect(names(links)).toEqual(["lo"]);
    expect(created).toBeDefined();
    const handle = created as NonNullable<typeof created>;
    expect(heldNamespaceInodes()).toContain(handle.ino);
    // The handle is itself a provider.
    const again = await nsDo(ns.handle(handle), na.handle());
    expect(again.results[0].ino).toBe(handle.ino);
    again.results[0].close();
    handle.close();
    expect(heldNamespaceInodes()).not.toContain(handle.ino);
  });

  it("createNamed: made as `ip netns add` makes it", async () => {
    const name = `${prefix}n`;
    const {
      results: [links],
    } = await nsDo(ns.createNamed(name), na.links());
    expect(names(links)).toEqual(["lo"]);
    expect(netnsList()).toContain(name);
    expect(ipNames(linksIn(name))).toEqual(["lo"]);
    await nsDo(ns.now(), na.deleteNamed(name));
    expect(netnsList()).not.toContain(name);
  });

  it("custom: a module export that returns a namespace path", async () => {
    const {
      results: [links],
    } = await nsDo(ns.custom(providerModule, "namedPath", { name: nsA }), na.links());
    expect(names(links)).toEqual(ipNames(linksIn(nsA)));
  });

  it("refuses names that would escape the mount dir, before anything happens", () => {
    for (const bad of ["../x", "a/b", "..", ".", "", "a b", "x\n"]) {
      expect(() => ns.name(bad)).toThrow(ValidationError);
      expect(() => ns.createNamed(bad)).toThrow(ValidationError);
      expect(() => na.createNamed(bad)).toThrow(ValidationError);
    }
    try {
      ns.name("../../etc/x");
    } catch (err) {
      expect((err as ValidationError).field).toBe("name");
      expect((err as ValidationError).code).toBe("ERR_INVALID_ARGUMENT");
    }
    expect(() => ns.name("x", "relative/dir")).toThrow(/dir/);
    expect(() => ns.process(0)).toThrow(/pid/);
  });

  it("a missing namespace is a typed error, and a file that is not a namespace too", async () => {
    await expect(nsDo(ns.name(`${prefix}missing`), na.links())).rejects.toBeInstanceOf(NotFoundError);
    await expect(nsDo(ns.path("/etc/hostname"), na.links())).rejects.toBeInstanceOf(NamespaceEnterError);
  });
});
