import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import {
  ActionError,
  AlreadyExistsError,
  closeDefaultPool,
  listNamed,
  lp,
  NamespaceEnterError,
  NetlinkError,
  NotFoundError,
  na,
  ns,
  nsDo,
  rootCause,
} from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, heldNamespaceInodes, inodeOf, ip, ipJson, linksIn, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix();
const [nsA, nsB] = [`${prefix}a`, `${prefix}b`];
const [vethA, vethB] = [`${prefix}va`, `${prefix}vb`];
const echo = new URL("../../examples/tcp-echo.mjs", import.meta.url).href;

beforeAll(() => {
  ip("netns", "add", nsA);
  ip("netns", "add", nsB);
  ip("-n", nsA, "link", "add", vethA, "type", "veth", "peer", "name", vethB);
  ip("-n", nsA, "link", "set", vethA, "alias", "uplink");
});

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

describe("namespace actions", () => {
  it("links: every link, with the fields iproute2 shows", async () => {
    const {
      results: [links],
    } = await nsDo(ns.name(nsA), na.links());
    const kernel = linksIn(nsA);
    expect(links.map((l) => l.name).sort()).toEqual(kernel.map((l) => l.ifname).sort());
    for (const k of kernel) {
      const l = links.find((x) => x.name === k.ifname);
      expect(l?.index).toBe(k.ifindex);
      expect(l?.mtu).toBe(k.mtu);
      expect(l?.kind ?? undefined).toBe(k.linkinfo?.info_kind);
      if (k.address) expect(l?.mac).toBe(k.address);
    }
  });

  it("getLink by name, alias and index", async () => {
    const [k] = ipJson<{ ifindex: number }[]>("-n", nsA, "link", "show", vethA);
    const { results } = await nsDo(
      ns.name(nsA),
      na.getLink(lp.name(vethA)),
      na.getLink(lp.alias("uplink")),
      na.getLink(lp.index(k?.ifindex ?? -1)),
    );
    for (const link of results) {
      expect(link.name).toBe(vethA);
      expect(link.alias).toBe("uplink");
      expect(link.index).toBe(k?.ifindex);
    }
  });

  it("a failing action: its cause's code on top, named by index and kind; earlier actions stay done", async () => {
    const err = await nsDo(ns.name(nsA), na.links(), na.getLink(lp.name(`${prefix}none`))).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.code).toBe("ERR_LINK_NOT_FOUND");
    expect(err.message).toBe(`no link with name "${prefix}none" (action #1: getLink)`);
    expect(err.actionIndex).toBe(1);
    expect(err.action).toBe("getLink");
    expect(err.returned).toBe(true);
    expect(err.cause).toBeInstanceOf(NotFoundError);
  });

  it("setLinkNs: moves a link; iproute2 sees it in the other namespace", async () => {
    const {
      results: [moved],
    } = await nsDo(ns.name(nsA), na.setLinkNs(lp.name(vethB), ns.name(nsB)));
    expect(moved.name).toBe(vethB);
    expect(linksIn(nsB).map((l) => l.ifname)).toContain(vethB);
    expect(linksIn(nsA).map((l) => l.ifname)).not.toContain(vethB);
    const [k] = ipJson<{ ifindex: number }[]>("-n", nsB, "link", "show", vethB);
    expect(moved.index).toBe(k?.ifindex);
  });

  it("handle: a descriptor on the namespace, closed by the user", async () => {
    const {
      results: [handle],
    } = await nsDo(ns.name(nsA), na.handle());
    expect(handle.ino).toBe(inodeOf(`/run/netns/${nsA}`));
    // The worker that ran the task keeps a descriptor of its own there too (until it has been idle socketIdleMs).
    const held = () => heldNamespaceInodes().filter((ino) => ino === handle.ino).length;
    const withHandle = held();
    expect(withHandle).toBeGreaterThanOrEqual(1);
    handle.close();
    expect(handle.closed).toBe(true);
    expect(held()).toBe(withHandle - 1);
  });

  it("createNamed / deleteNamed: as iproute2 does, usable by `ip -n`", async () => {
    const name = `${prefix}c`;
    await nsDo(ns.name(nsA), na.createNamed(name));
    expect(netnsList()).toContain(name);
    ip("-n", name, "link", "add", `${prefix}cb`, "type", "bridge");
    expect(
      linksIn(name)
        .map((l) => l.ifname)
        .sort(),
    ).toEqual([`${prefix}cb`, "lo"].sort());
    // A second create fails cleanly and leaves the first untouched.
    const err = await nsDo(ns.now(), na.createNamed(name)).catch((e) => e);
    expect(err).toMatchObject({ code: "ERR_NS_EXISTS", actionIndex: 0, action: "newNamed" });
    expect(err.message).toMatch(/already exists.* \(action #0: newNamed\)$/);
    expect(err.cause).toBeInstanceOf(AlreadyExistsError);
    expect(rootCause(err)).toBe(err.cause);
    // As the provider: the same code on top, the provider as context.
    const asProvider = await nsDo(ns.createNamed(name), na.links()).catch((e) => e);
    expect(asProvider).toBeInstanceOf(NamespaceEnterError);
    expect(asProvider.code).toBe("ERR_NS_EXISTS");
    expect(asProvider.message).toMatch(/already exists.* \(entering the namespace of provider "newNamed"\)$/);
    expect(listNamed()).toContain(name);
    expect(linksIn(name).map((l) => l.ifname)).toContain(`${prefix}cb`);
    await nsDo(ns.now(), na.deleteNamed(name));
    expect(netnsList()).not.toContain(name);
    const missing = await nsDo(ns.now(), na.deleteNamed(name)).catch((e) => e);
    expect(missing.code).toBe("ERR_NS_NOT_FOUND");
  });

  it("createNamed whose mount dir cannot be made leaves nothing behind", async () => {
    // A mount dir inside a regular file cannot be made: refused naming the file in the way, and nothing may appear anywhere.
    const err = await nsDo(ns.now(), na.createNamed(`${prefix}p`, "/etc/hostname/sub")).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.cause).toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "dir",
      message: "dir: /etc/hostname is a regular file, not a directory",
    });
    expect(existsSync("/etc/hostname/sub")).toBe(false);
    expect(
      netnsList()
        .filter((n) => n.startsWith(prefix))
        .sort(),
    ).toEqual([nsA, nsB].sort());
  });

  it("exec: runs a command inside the namespace", async () => {
    const {
      results: [r],
    } = await nsDo(ns.name(nsB), na.exec(["ip", "-j", "link", "show"]));
    expect(r.status).toBe(0);
    expect(r.pid).toBeGreaterThan(0);
    const seen = (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
    expect(seen).toEqual(
      linksIn(nsB)
        .map((l) => l.ifname)
        .sort(),
    );
    const {
      results: [bad],
    } = await nsDo(ns.name(nsB), na.exec(["ip", "link", "show", "nosuchlink0"]));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/does not exist/);
    const missing = await nsDo(ns.name(nsB), na.exec([`/nonexistent/${prefix}`])).catch((e) => e);
    expect(missing.cause.code).toBe("ENOENT");
  });

  it("a namespace the worker already holds: netlink work needs no switch, exec and sysctl still run inside it", async () => {
    const name = `${prefix}h`;
    await nsDo(ns.createNamed(name), na.link(lp.veth("hx0", { name: "hx1" })));
    for (let i = 0; i < 3; i++) {
      const { results, returned } = await nsDo(
        ns.name(name),
        na.links(),
        na.exec(["ip", "-j", "link", "show"]),
        na.sysctl("net.ipv4.ip_forward", String(i % 2)),
      );
      expect(returned).toBe(true);
      const shown = (JSON.parse(results[1].stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
      expect(results[0].map((l) => l.name).sort()).toEqual(shown);
      expect(shown).toEqual(["hx0", "hx1", "lo"]);
      expect(results[2]).toBe(String(i % 2));
      expect(execFileSync("ip", ["netns", "exec", name, "cat", "/proc/sys/net/ipv4/ip_forward"], { encoding: "utf8" }).trim()).toBe(
        String(i % 2),
      );
    }
    // The caller's own namespace was never touched by any of it.
    expect(ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname)).not.toContain("hx0");
  });

  it("consecutive deleteNamed run together, with the outcome of running them in order", async () => {
    const names = Array.from({ length: 6 }, (_, i) => `${prefix}d${i}`);
    for (const n of names) ip("netns", "add", n);
    const { results } = await nsDo(ns.now(), ...names.slice(0, 3).map((n) => na.deleteNamed(n)));
    expect(results.map((r) => r.name)).toEqual(names.slice(0, 3));
    expect(netnsList(`${prefix}d`).sort()).toEqual(names.slice(3));
    // A missing name in the middle: the ones before it go, the ones after it stay.
    const err = await nsDo(
      ns.now(),
      na.deleteNamed(names[3] as string),
      na.deleteNamed(`${prefix}dmissing`),
      na.deleteNamed(names[4] as string),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.actionIndex).toBe(1);
    expect(err.cause).toBeInstanceOf(NotFoundError);
    expect(netnsList(`${prefix}d`).sort()).toEqual(names.slice(4));
    expect(existsSync(`/run/netns/${names[3]}`)).toBe(false);
  });

  it("script: a templated script whose variables are always one word", async () => {
    const {
      results: [r],
    } = await nsDo(ns.name(nsB), na.script("ip link set {{dev}} up\necho {{msg}}", { dev: vethB, msg: "a'b; rm -rf /" }));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("a'b; rm -rf /\n");
    expect(ipJson<{ flags: string[] }[]>("-n", nsB, "link", "show", vethB)[0]?.flags).toContain("UP");
    expect(() => na.script("echo {{missing}}")).toThrow(/vars.missing/);
  });

  it("custom: a TCP server inside one namespace, reached from another over a veth pair", async () => {
    // The veth pair was split across the namespaces by the setLinkNs test; give it addresses.
    ip("-n", nsB, "link", "set", vethB, "up");
    ip("-n", nsA, "addr", "add", "10.231.0.1/30", "dev", vethA);
    ip("-n", nsA, "link", "set", vethA, "up");
    ip("-n", nsB, "addr", "add", "10.231.0.2/30", "dev", vethB);
    const {
      results: [address],
    } = await nsDo(ns.name(nsA), na.custom<{ port: number }>(echo, "listen", { host: "10.231.0.1", port: 0 }));
    const {
      results: [reply],
    } = await nsDo(
      ns.name(nsB),
      na.custom<string>(echo, "request", { host: "10.231.0.1", port: address.port, message: "hello through the veth" }),
    );
    expect(reply).toBe("hello through the veth");
    // The listening socket really lives in nsA, not in the host namespace.
    const listening = (args: string[]) => execFileSync("ss", ["-Hltn", ...args], { encoding: "utf8" });
    expect(listening(["-N", nsA])).toContain(`10.231.0.1:${address.port}`);
    expect(listening([])).not.toContain(`10.231.0.1:${address.port}`);
    await nsDo(ns.name(nsA), na.custom(echo, "close", { host: "10.231.0.1", port: address.port }));
  });

  it("kernel errors carry errno and the extended-ACK text", async () => {
    const err = await nsDo(ns.name(nsA), na.setLinkNs(lp.name(`${prefix}br0`), ns.name(nsB))).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    // No such link: found by neslink before any request.
    expect(err.cause.code).toBe("ERR_LINK_NOT_FOUND");
    ip("-n", nsA, "link", "add", `${prefix}br0`, "type", "bridge");
    const moved = await nsDo(ns.name(nsA), na.setLinkNs(lp.name(`${prefix}br0`), ns.name(nsB))).catch((e) => e);
    // Bridges cannot change namespace (NETIF_F_NETNS_LOCAL): the kernel says so.
    expect(moved.cause).toBeInstanceOf(NetlinkError);
    expect(moved.cause.errno).toBeGreaterThan(0);
    expect(netnsList()).toContain(nsA);
  });
});
