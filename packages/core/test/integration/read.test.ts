/**
 * Reads of another namespace from the calling thread (readLinks, readAddrs:
 * no worker) give what nsDo's worker reads inside it, and what iproute2 sees
 * there: from a socket opened inside (root), and from one aimed at it by
 * nsid (IFLA_TARGET_NETNSID: a process without CAP_SYS_ADMIN).
 */
import { spawnSync } from "node:child_process";
import { closeDefaultPool, NamespaceEnterError, NotFoundError, na, ns, nsDo, readAddrs, readLinks, ValidationError } from "@neslink/core";
import * as readEntry from "@neslink/core/read";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("rd");
const nsA = `${prefix}a`;
const nsB = `${prefix}b`;

beforeAll(() => {
  ip("netns", "add", nsA);
  ip("netns", "add", nsB);
  for (const command of [
    "link set lo up",
    `link add ${prefix}br type bridge`,
    `link add ${prefix}v0 type veth peer name ${prefix}v1`,
    `link set ${prefix}v0 master ${prefix}br`,
    // Peers in another namespace and in the caller's: IFLA_LINK_NETNSID must read as it does inside.
    `link add ${prefix}p0 type veth peer name ${prefix}p1 netns ${nsB}`,
    `link add ${prefix}h0 type veth peer name ${prefix}h1 netns ${process.pid}`,
    `link set ${prefix}br up`,
    `link set ${prefix}v0 up`,
    `addr add 10.77.0.1/24 dev ${prefix}br`,
    `addr add 2001:db8:77::1/64 dev ${prefix}br nodad`,
    `addr add 10.78.0.1/30 dev ${prefix}p0`,
  ]) {
    ip("-n", nsA, ...command.split(" "));
  }
});

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

describe("reads without a worker", () => {
  it("links: the same as nsDo's, and as `ip -j link show` in the namespace", async () => {
    for (const provider of [ns.name(nsA), ns.name(nsB), ns.path(`/run/netns/${nsA}`)]) {
      const read = await readLinks(provider);
      const {
        results: [inside],
      } = await nsDo(provider, na.links());
      expect(read).toEqual(inside);
    }
    const links = await readLinks(ns.name(nsA));
    const iproute2 = ipJson<{ ifname: string; link_netnsid?: number }[]>("-n", nsA, "link", "show");
    expect(links.map((l) => l.name).sort()).toEqual(iproute2.map((l) => l.ifname).sort());
    for (const name of [`${prefix}p0`, `${prefix}h0`]) {
      const netnsid = iproute2.find((l) => l.ifname === name)?.link_netnsid;
      expect(netnsid).toBeTypeOf("number");
      expect(links.find((l) => l.name === name)?.linkNetnsid).toBe(netnsid);
    }
  });

  it("addresses: the same as nsDo's, per family, and as `ip -j addr show`", async () => {
    for (const family of [4, 6, "all"] as const) {
      const read = await readAddrs(ns.name(nsA), family);
      const {
        results: [inside],
      } = await nsDo(ns.name(nsA), na.addrs(family));
      expect(read).toEqual(inside);
    }
    const locals = (await readAddrs(ns.name(nsA))).map((a) => `${a.local ?? a.address}/${a.prefixLen}`).sort();
    const iproute2 = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", nsA, "addr", "show")
      .flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`))
      .sort();
    expect(locals).toEqual(iproute2);
    expect(locals).toEqual(expect.arrayContaining(["10.77.0.1/24", "2001:db8:77::1/64", "10.78.0.1/30"]));
  });

  it("the caller's own namespace reads without a target, as nsDo(ns.now()) does", async () => {
    // Compared by name only: other programs on the machine may change the host's links meanwhile.
    const names = (await readLinks(ns.now())).map((l) => l.name);
    expect(names).toContain(`${prefix}h1`);
    expect(names).toContain("lo");
  });

  it("without CAP_SYS_ADMIN, aimed by nsid: the same links and addresses", async () => {
    const script = `
      import { readFileSync } from "node:fs";
      import { ns, readLinks, readAddrs } from "@neslink/core/read";
      const capEff = /CapEff:\\s*(\\S+)/.exec(readFileSync("/proc/self/status", "utf8"))[1];
      const where = ns.name(${JSON.stringify(nsA)});
      console.log(JSON.stringify({ capEff, links: await readLinks(where), addrs: await readAddrs(where) }));`;
    const run = spawnSync(
      "setpriv",
      ["--bounding-set=-sys_admin", "--inh-caps=-sys_admin", process.execPath, "--input-type=module", "-e", script],
      { encoding: "utf8", cwd: new URL(".", import.meta.url) },
    );
    expect(run.stderr).toBe("");
    const aimed = JSON.parse(run.stdout) as { capEff: string; links: unknown; addrs: unknown };
    expect((BigInt(`0x${aimed.capEff}`) >> 21n) & 1n).toBe(0n);
    expect(aimed.links).toEqual(await readLinks(ns.name(nsA)));
    expect(aimed.addrs).toEqual(await readAddrs(ns.name(nsA)));
  });

  it("read from inside, as root: the namespace gets no nsid in the caller's", async () => {
    const fresh = `${prefix}f`;
    ip("netns", "add", fresh);
    const idOf = () => ipJson<{ name: string; id?: number }[]>("netns", "list").find((n) => n.name === fresh)?.id;
    expect(idOf()).toBeUndefined();
    expect((await readLinks(ns.name(fresh))).map((l) => l.name)).toEqual(["lo"]);
    await readAddrs(ns.name(fresh));
    expect(idOf()).toBeUndefined();
  });

  it("starts no thread and leaves no descriptor open", () => {
    // A fresh process: this one's pool already has workers.
    const script = `
      import { readdirSync } from "node:fs";
      import { ns, readLinks, readAddrs } from "@neslink/core/read";
      const tasks = () => readdirSync("/proc/self/task").length;
      const fds = () => readdirSync("/proc/self/fd").length;
      const before = [tasks(), fds()];
      await readLinks(ns.name(${JSON.stringify(nsA)}));
      await readAddrs(ns.name(${JSON.stringify(nsA)}));
      console.log(JSON.stringify({ before, after: [tasks(), fds()] }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      cwd: new URL(".", import.meta.url),
    });
    expect(run.stderr).toBe("");
    const { before, after } = JSON.parse(run.stdout) as { before: number[]; after: number[] };
    expect(after).toEqual(before);
    const start = fdCount();
    return readLinks(ns.name(nsA)).then(() => expect(fdCount()).toBe(start));
  });

  it("refuses providers of no existing namespace, and reports a missing or wrong one as nsDo does", async () => {
    await expect(readLinks(ns.create())).rejects.toThrow(ValidationError);
    await expect(readAddrs(ns.createNamed(`${prefix}new`))).rejects.toThrow(/provider/);
    expect(ipJson("netns", "list").some((n) => (n as { name: string }).name === `${prefix}new`)).toBe(false);
    await expect(readLinks(ns.name(`${prefix}none`))).rejects.toThrow(NotFoundError);
    // The bundled entry point throws core's own classes (errors.js is shared, not copied into it).
    await expect(readEntry.readLinks(readEntry.ns.name(`${prefix}none`))).rejects.toThrow(NotFoundError);
    await expect(readEntry.readAddrs(ns.path("/etc/hostname"))).rejects.toThrow(NamespaceEnterError);
    await expect(nsDo(ns.name(`${prefix}none`), na.links())).rejects.toThrow(NotFoundError);
    const notNs = readLinks(ns.path("/etc/hostname"));
    await expect(notNs).rejects.toThrow(NamespaceEnterError);
    await expect(notNs).rejects.toMatchObject({ code: "ERR_NOT_A_NAMESPACE" });
  });
});
