/**
 * Links created directly in another namespace (the `ns` option of a new
 * link): the kernel makes them there (IFLA_NET_NS_FD), with their parent
 * looked up and a vxlan's socket kept in the namespace that asks, and
 * nothing of them is ever in that one; no move (~30 ms of the kernel's each).
 * apply makes a lab's vxlans and macvlans so: they never appear in the host
 * namespace, not even for an instant.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  AlreadyExistsError,
  canDoHere,
  closeDefaultPool,
  type LinkProvider,
  lp,
  na,
  ns,
  nsDo,
  nsDoHere,
  rootCause,
  toErrorJSON,
  topology,
} from "@neslink/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { applyKilledAfter, cleanup, hostLinkNames, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("lip");
/** Where the parent is (the namespace that asks), and where the links go. */
const src = `${prefix}s`;
const dst = `${prefix}d`;
/** The parent's index in src: one no link of dst has, so that an index read in dst can only be the parent's. */
const PARENT_INDEX = 40;

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  group?: string;
  link_index?: number;
  link_netnsid?: number;
  address?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

const linksOf = (netns: string) => ipJson<IpLink[]>("-n", netns, "link", "show");
const namesOf = (netns: string) => linksOf(netns).map((l) => l.ifname);
/** The nsid `seenFrom` gives the named namespace `netns` (iproute2 finds its name in /run/netns). */
const nsidOf = (netns: string, seenFrom: string) =>
  ipJson<{ nsid: number; name?: string }[]>("-n", seenFrom, "netns", "list-id").find((e) => e.name === netns)?.nsid;
/** The UDP ports bound in a namespace (`ss -Huln`). */
const udpPorts = (netns: string) =>
  ip("netns", "exec", netns, "ss", "-Huln")
    .split("\n")
    .flatMap((line) => line.match(/:(\d+)\s/)?.[1] ?? []);

beforeAll(() => {
  ip("netns", "add", src);
  ip("netns", "add", dst);
  ip("-n", src, "link", "add", "pp", "index", String(PARENT_INDEX), "type", "bridge");
});

afterEach(() => {
  for (const name of namesOf(dst)) if (name !== "lo") ip("-n", dst, "link", "del", name);
});

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const made = (name: string) => linksOf(dst).find((l) => l.ifname === name);

describe("a link created in another namespace (ns)", () => {
  const runs = [
    ["on a worker", "w", nsDo],
    ["from the calling thread", "c", nsDoHere],
  ] as const;

  it.each(runs)("%s: is made there, on the parent of the namespace that asks, a vxlan's socket kept there", async (_, tag, run) => {
    const port = tag === "w" ? 4789 : 4790;
    const actions = [
      na.link(lp.macvlan(`mv${tag}`, lp.name("pp"), "private", { ns: ns.name(dst), group: 7, mtu: 1400 })),
      na.link(lp.vxlan(`vx${tag}`, { id: port, remote: "192.0.2.1", port, parent: lp.name("pp"), ns: ns.name(dst) })),
    ] as const;
    expect(canDoHere(ns.name(src), actions)).toBe(true);
    const {
      results: [mv, vx],
    } = await run(ns.name(src), ...actions);
    const srcId = nsidOf(src, dst);
    expect(srcId).toBeTypeOf("number");
    // A macvlan's IFLA_LINK is its parent's index, in the namespace IFLA_LINK_NETNSID names: src's.
    expect(made(`mv${tag}`)).toMatchObject({
      link_index: PARENT_INDEX,
      link_netnsid: srcId,
      group: "7",
      mtu: 1400,
      linkinfo: { info_kind: "macvlan", info_data: { mode: "private" } },
    });
    // A vxlan's underlay is IFLA_VXLAN_LINK, which iproute2 cannot name in dst; its socket's namespace is IFLA_LINK_NETNSID.
    expect(made(`vx${tag}`)).toMatchObject({
      link_netnsid: srcId,
      linkinfo: { info_kind: "vxlan", info_data: { id: port, port, link: `if${PARENT_INDEX}` } },
    });
    expect(mv.link).toMatchObject({ name: `mv${tag}`, index: made(`mv${tag}`)?.ifindex });
    expect(vx.link).toMatchObject({ name: `vx${tag}`, index: made(`vx${tag}`)?.ifindex });
    // Nothing of them in src, under any name.
    expect(namesOf(src)).toEqual(["lo", "pp"]);
    // Up, the vxlan binds its UDP socket in src, where it was made from.
    ip("-n", dst, "link", "set", `vx${tag}`, "up");
    expect(udpPorts(src)).toContain(String(port));
    expect(udpPorts(dst)).toEqual([]);
  });

  it("is refused, typed, with nothing made anywhere: name taken there, parent missing, VNI in use, target not there", async () => {
    ip("-n", dst, "link", "add", "taken0", "type", "bridge");
    ip("-n", src, "link", "add", "vxs", "type", "vxlan", "id", "99", "dstport", "4799", "remote", "192.0.2.1");
    try {
      const before = { src: namesOf(src), dst: linksOf(dst) };
      const refused = (provider: LinkProvider, here = false) =>
        (here ? nsDoHere : nsDo)(ns.name(src), na.link(provider)).then(
          () => expect.unreachable("created"),
          (err: unknown) => err as Error & { code: string },
        );
      const into = { ns: ns.name(dst) };

      const taken = await refused(lp.macvlan("taken0", lp.name("pp"), "bridge", into));
      expect(taken).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: 0 });
      expect(taken.message).toContain('a link named "taken0" already exists in the namespace it was to be created in');
      expect(rootCause(taken)).toBeInstanceOf(AlreadyExistsError);
      // The same error from the calling thread.
      const takenHere = await refused(lp.macvlan("taken0", lp.name("pp"), "bridge", into), true);
      expect(toErrorJSON(takenHere)).toEqual(toErrorJSON(taken));

      const noParent = await refused(lp.macvlan("mv1", lp.name(`${prefix}no`), "bridge", into));
      expect(noParent).toMatchObject({ code: "ERR_LINK_NOT_FOUND", actionIndex: 0 });
      expect(noParent.message).toContain(`${prefix}no`);

      // The VNI and port of src's vxlan: the kernel refuses it where the socket would be, and says why.
      const vni = await refused(lp.vxlan("vx1", { id: 99, port: 4799, remote: "192.0.2.1", ...into }));
      expect(vni).toMatchObject({ code: "EEXIST", actionIndex: 0 });
      expect(vni.message).toMatch(/VNI/);

      const noTarget = await refused(lp.macvlan("mv2", lp.name("pp"), "bridge", { ns: ns.name(`${prefix}none`) }));
      expect(noTarget).toMatchObject({ code: "ERR_NS_NOT_FOUND", actionIndex: 0 });

      expect(namesOf(src)).toEqual(before.src);
      expect(linksOf(dst)).toEqual(before.dst);
    } finally {
      ip("-n", src, "link", "del", "vxs");
    }
  });
});

describe("many links created in other namespaces in one nsDo", () => {
  /** A second target: a run's links for two namespaces, each looked up (or undone) in its own. */
  const dst2 = `${prefix}e`;
  beforeAll(() => ip("netns", "add", dst2));
  afterEach(() => {
    for (const name of namesOf(dst2)) if (name !== "lo") ip("-n", dst2, "link", "del", name);
    for (const name of namesOf(src)) if (name.startsWith("lb")) ip("-n", src, "link", "del", name);
  });

  /** Link `i` of a run: a macvlan into dst or dst2 by turns, every seventh a bridge in src itself. */
  const runLink = (i: number, ns2 = (i % 2 === 0 ? dst : dst2) as string) =>
    i % 7 === 6 ? lp.bridge(`lb${i}`) : lp.macvlan(`mq${i}`, lp.name("pp"), "bridge", { ns: ns.name(ns2), group: 9 });
  const where = (i: number) => (i % 7 === 6 ? src : i % 2 === 0 ? dst : dst2);
  const nameOf = (i: number) => (i % 7 === 6 ? `lb${i}` : `mq${i}`);
  /** Links 0..n-1 as iproute2 finds them, each in the namespace it was to be made in (undefined: not there). */
  const seen = (n: number) => {
    const lists = new Map([src, dst, dst2].map((netns) => [netns, linksOf(netns)]));
    return Array.from({ length: n }, (_, i) => lists.get(where(i))?.find((l) => l.ifname === nameOf(i)));
  };
  const present = (n: number) => {
    const found = seen(n);
    return [...found.keys()].filter((i) => found[i] !== undefined);
  };

  it("are pipelined past one datagram (64), each returned as the namespace it is in reports it", async () => {
    const n = 70;
    const { results } = await nsDo(ns.name(src), ...Array.from({ length: n }, (_, i) => na.link(runLink(i))));
    const there = seen(n);
    expect(results).toHaveLength(n);
    for (const [i, r] of results.entries()) {
      expect(there[i], `link ${i}`).toBeDefined();
      expect(r.link, `link ${i}`).toMatchObject({ name: nameOf(i), index: there[i]?.ifindex });
      if (i % 7 !== 6) expect(there[i]).toMatchObject({ link_index: PARENT_INDEX, group: "9", linkinfo: { info_kind: "macvlan" } });
    }
    // Nothing made elsewhere is in src, under any name.
    expect(namesOf(src).filter((name) => !name.startsWith("lb"))).toEqual(["lo", "pp"]);
  });

  it("a refused one fails typed, naming it; those before it stay, those after it are undone wherever they were made", async () => {
    // In the second datagram, with links into both targets and into src after it in that datagram.
    const at = 66;
    ip("-n", dst, "link", "add", `mq${at}`, "type", "bridge");
    const err = await nsDo(ns.name(src), ...Array.from({ length: 70 }, (_, i) => na.link(runLink(i)))).then(
      () => expect.unreachable("created"),
      (e: unknown) => e as Error & { code: string; actionIndex: number },
    );
    expect(err).toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: at });
    expect(err.message).toContain(`new macvlan "mq${at}"`);
    expect(err.message).toContain(`a link named "mq${at}" already exists in the namespace it was to be created in`);
    // Its name is still the bridge's that took it.
    expect(present(70).filter((i) => i !== at)).toEqual(Array.from({ length: at }, (_, i) => i));
    expect(linksOf(dst).find((l) => l.ifname === `mq${at}`)?.linkinfo?.info_kind).toBe("bridge");
  });

  it("a target that is not there fails at its link, typed; nothing after it is sent", async () => {
    const err = await nsDo(
      ns.name(src),
      ...[0, 1, 2].map((i) => na.link(runLink(i, i === 1 ? `${prefix}none` : dst))),
      na.link(lp.bridge("lb9")),
    ).then(
      () => expect.unreachable("created"),
      (e: unknown) => e as Error & { code: string; actionIndex: number },
    );
    expect(err).toMatchObject({ code: "ERR_NS_NOT_FOUND", actionIndex: 1 });
    expect(namesOf(dst)).toEqual(["lo", "mq0"]);
    expect(namesOf(dst2)).toEqual(["lo"]);
    expect(namesOf(src)).toEqual(["lo", "pp"]);
  });
});

/** `ip -o -d monitor link` in the host namespace: every link event there, one line each, with the link's details. */
class HostMonitor {
  readonly #child: ChildProcess;
  #out = "";
  #mark = 0;

  constructor() {
    this.#child = spawn("ip", ["-o", "-d", "monitor", "link"], { stdio: ["ignore", "pipe", "ignore"] });
    this.#child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#out += chunk;
    });
  }

  /**
   * The lines since the last call, once the monitor has shown a bridge made now by that name (and deleted): the
   * kernel reports a socket's events in order, so every event before it has been read.
   */
  async until(marker: string): Promise<string[]> {
    ip("link", "add", marker, "type", "bridge");
    ip("link", "del", marker);
    await vi.waitFor(() => expect(this.#out.slice(this.#mark)).toMatch(new RegExp(`Deleted \\d+: ${marker}:`)), { timeout: 10_000 });
    const lines = this.#out.slice(this.#mark).split("\n");
    this.#mark = this.#out.length;
    return lines;
  }

  stop(): void {
    this.#child.kill();
  }
}

describe("apply", () => {
  const lab = `${prefix}l`;
  const parent = `${prefix}p`;
  afterAll(() => cleanup(lab));

  it("makes a lab's macvlan and vxlan in their node from the host, never in the host, and destroy leaves the host as it was", async () => {
    ip("link", "add", parent, "type", "bridge");
    const hostBefore = hostLinkNames(prefix);
    // Told apart from any other test's links in the host's events by these.
    const mac = `02:${randomBytes(5).toString("hex").match(/../g)?.join(":")}`;
    const vni = 100_000 + randomBytes(2).readUInt16BE();
    const t = topology.load(`name: ${lab}
nodes:
  a:
    interfaces:
      mv0: { kind: macvlan, parent: ${parent}, mode: bridge, mac: "${mac}" }
      vx0: { kind: vxlan, id: ${vni}, remote: 192.0.2.1, port: 4791, parent: ${parent} }
`);
    const monitor = new HostMonitor();
    let during: string[];
    try {
      await monitor.until(`${prefix}k1`);
      await topology.apply(t);
      during = await monitor.until(`${prefix}k2`);
    } finally {
      monitor.stop();
    }
    expect(during.filter((line) => line.includes(mac) || line.includes(`vxlan id ${vni} `))).toEqual([]);
    const parentIndex = ipJson<IpLink[]>("link", "show", parent)[0]?.ifindex;
    const node = `${lab}-a`;
    const [mv0] = ipJson<IpLink[]>("-n", node, "link", "show", "mv0");
    expect(mv0).toMatchObject({ address: mac, link_index: parentIndex, linkinfo: { info_kind: "macvlan", info_data: { mode: "bridge" } } });
    expect(mv0?.link_netnsid).toBeTypeOf("number");
    const [vx0] = ipJson<IpLink[]>("-n", node, "link", "show", "vx0");
    expect(vx0).toMatchObject({ linkinfo: { info_kind: "vxlan", info_data: { id: vni, port: 4791 } } });
    expect(vx0?.link_netnsid).toBe(mv0?.link_netnsid);
    expect(hostLinkNames(prefix)).toEqual(hostBefore);
    expect((await topology.plan(t)).changes).toEqual([]);
    await topology.destroy(t);
    expect(netnsList(lab)).toEqual([]);
    expect(hostLinkNames(prefix)).toEqual(hostBefore);
    // Deleted with the node, synchronously: the same vxlan can be made in the host at once.
    ip("link", "add", `${prefix}vx`, "type", "vxlan", "id", String(vni), "remote", "192.0.2.1", "dstport", "4791", "dev", parent);
    ip("link", "del", `${prefix}vx`);
    ip("link", "del", parent);
  });
});

describe("apply, one of a node's links refused", () => {
  const lab = `${prefix}f`;
  const parent = `${prefix}r`;
  const taken = `${prefix}vt`;
  // Where the taken vxlan is moved: out of the host's dump, which plan reads to refuse a host clash before any change.
  const holder = `${prefix}vh`;
  afterAll(() => {
    cleanup(lab);
    if (netnsList(holder).includes(holder)) ip("netns", "del", holder);
  });

  it("fails naming it; what it reports made is made, what it reports failed is not; applying again converges", async () => {
    ip("link", "add", parent, "type", "bridge");
    // A vxlan of a VNI and port made from the host: a node's vxlan of the same, whose socket would be the host's too, is
    // refused. Made from the host and moved to another namespace (as another lab's are), only the kernel sees it.
    const vni = 100_000 + randomBytes(2).readUInt16BE();
    ip("netns", "add", holder);
    ip("link", "add", taken, "type", "vxlan", "id", String(vni), "dstport", "4793", "remote", "192.0.2.1");
    ip("link", "set", taken, "netns", holder);
    const text = `name: ${lab}
nodes:
  a:
    interfaces:
      mv0: { kind: macvlan, parent: ${parent} }
      vx0: { kind: vxlan, id: ${vni}, remote: 192.0.2.1, port: 4793 }
      mv1: { kind: macvlan, parent: ${parent} }
      vx1: { kind: vxlan, id: ${vni + 1}, remote: 192.0.2.1, port: 4793 }
  b:
    interfaces:
      mv0: { kind: macvlan, parent: ${parent} }
      vx0: { kind: vxlan, id: ${vni + 2}, remote: 192.0.2.1, port: 4793 }
`;
    const t = topology.load(text);
    const failed = await topology.apply(t).then(
      () => expect.unreachable("applied"),
      (e: unknown) => e as topology.TopologyApplyError,
    );
    expect(failed).toBeInstanceOf(topology.TopologyApplyError);
    expect(failed.failures).toHaveLength(1);
    const [failure] = failed.failures;
    expect(failure?.changes[0]).toMatch(/^\+ link vxlan a:vx0 /);
    expect(failure?.error.message).toMatch(/VNI/);
    const links = failed.done.filter((c) => c.object === "link" && c.op === "create") as { node: string; name: string }[];
    // Node b's task is its own: all made.
    expect(
      links
        .filter((c) => c.node === "b")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["mv0", "vx0"]);
    const madeInA = links.filter((c) => c.node === "a").map((c) => c.name);
    expect(madeInA).not.toContain("vx0");
    // Each link of a is either reported made and there, or reported failed (or not attempted after the failure) and not there.
    const inA = (texts: string[] = []) => texts.map((text) => /^\+ link \S+ a:(\S+)/.exec(text)?.[1]);
    const [failedInA, untriedInA] = [inA(failure?.changes), inA(failure?.notAttempted)];
    expect([...madeInA, ...failedInA, ...untriedInA].sort()).toEqual(["mv0", "mv1", "vx0", "vx1"]);
    expect(namesOf(`${lab}-a`).sort()).toEqual(["lo", ...madeInA].sort());
    ip("-n", holder, "link", "del", taken);
    await topology.apply(t);
    expect(namesOf(`${lab}-a`).sort()).toEqual(["lo", "mv0", "mv1", "vx0", "vx1"]);
    expect((await topology.plan(t)).changes).toEqual([]);
    await topology.destroy(t);
    ip("link", "del", parent);
  });
});

describe("apply killed at any moment", () => {
  const lab = `${prefix}k`;
  const parent = `${prefix}q`;
  const NODES = 6;
  const KILLS = 6;
  afterAll(() => cleanup(lab));

  it(`leaves nothing in the host, converges, and destroy leaves nothing (${KILLS} kills)`, async () => {
    ip("link", "add", parent, "type", "bridge");
    const lines = [`name: ${lab}`, "nodes:"];
    for (let n = 0; n < NODES; n++) {
      lines.push(`  n${n}:`, "    interfaces:");
      for (let i = 0; i < 2; i++) {
        lines.push(`      mv${i}: { kind: macvlan, parent: ${parent} }`);
        lines.push(`      vx${i}: { kind: vxlan, id: ${200 + 2 * n + i}, remote: 192.0.2.1, port: 4792, parent: ${parent} }`);
      }
    }
    const text = `${lines.join("\n")}\n`;
    const t = topology.load(text);
    const hostBefore = hostLinkNames(prefix);
    const started = performance.now();
    expect(await applyKilledAfter(text, 60_000)).toBe("finished");
    const full = performance.now() - started;
    await topology.destroy(t);
    for (let k = 0; k < KILLS; k++) {
      const at = Math.round(((k + Math.random()) / KILLS) * full);
      await applyKilledAfter(text, at);
      // At no moment is any of the lab's links in the host: a kill leaves none there.
      expect(hostLinkNames(prefix), `after a kill at ${at} ms`).toEqual(hostBefore);
      await topology.apply(t);
      expect((await topology.plan(t)).changes, `after a kill at ${at} ms`).toEqual([]);
      const kinds = ipJson<IpLink[]>("-n", `${lab}-n${NODES - 1}`, "link", "show").map((l) => l.linkinfo?.info_kind ?? l.ifname);
      expect(kinds.sort()).toEqual(["lo", "macvlan", "macvlan", "vxlan", "vxlan"]);
      await topology.destroy(t);
      expect(netnsList(lab)).toEqual([]);
      expect(hostLinkNames(prefix)).toEqual(hostBefore);
    }
    // The vxlans' sockets are gone from the host with them: one of their VNIs and port can be made there at once.
    ip("link", "add", `${prefix}vx`, "type", "vxlan", "id", "200", "remote", "192.0.2.1", "dstport", "4792", "dev", parent);
    ip("link", "del", `${prefix}vx`);
    ip("link", "del", parent);
  }, 120_000);
});
