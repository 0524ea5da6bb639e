/**
 * linkDo from the calling thread of a process that may not enter another
 * namespace (no CAP_SYS_ADMIN: link-here.ts aims its requests at the
 * namespace by nsid, no worker) gives what a worker inside gives: the same
 * Link, the same errors, and what iproute2 then sees in the namespace. And
 * it never acts in the caller's namespace, where names and indexes of its own
 * may match the target's. Each such call runs in a child process whose
 * capabilities lack CAP_SYS_ADMIN (setpriv); the worker's runs here, as root.
 * (With CAP_SYS_ADMIN the calling thread enters instead: here.test.ts.)
 */
import { spawnSync } from "node:child_process";
import {
  canLinkDoHere,
  errorFromJSON,
  type LinkAction,
  type LinkProvider,
  la,
  type LinkDoOutcome,
  linkDoOn,
  lp,
  type NsProvider,
  ns,
  Pool,
  toErrorJSON,
} from "@neslink/core";
import * as linkEntry from "@neslink/core/link";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("lh");
const nsA = `${prefix}a`;
const nsB = `${prefix}b`;
const where = ns.name(nsA);
/** A link of the caller's (root) namespace: the target has none of this name. */
const hostOnly = `${prefix}h`;
let pool: Pool;

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  address: string;
  group: string;
  master?: string;
  ifalias?: string;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string };
}

const shown = (nsName: string, name: string) => ipJson<IpLink[]>("-n", nsName, "link", "show").find((l) => l.ifname === name);

beforeAll(() => {
  ip("netns", "add", nsA);
  ip("netns", "add", nsB);
  for (const command of [
    `link add ${prefix}br type bridge`,
    `link add ${prefix}p0 type veth peer name ${prefix}p1 netns ${nsB}`,
    `link add ${prefix}q0 type veth peer name ${prefix}q1 netns ${nsB}`,
    `link set ${prefix}p0 alias ${prefix}-alias`,
    // Its peer in the caller's namespace, which numbers itself differently from how the target numbers it.
    `link add ${prefix}r0 type veth peer name ${prefix}r1 netns ${process.pid}`,
  ]) {
    ip("-n", nsA, ...command.split(" "));
  }
  ip("link", "add", hostOnly, "type", "ifb");
  pool = new Pool({ size: 1 });
});

afterAll(async () => {
  await pool?.close();
  cleanup(prefix);
});

/** Runs a module script in a child process without CAP_SYS_ADMIN (root still, with every other capability); it prints one JSON line. */
function withoutSysAdmin<T>(body: string): T {
  const script = `import * as core from "@neslink/core/link";\n${body}`;
  const run = spawnSync(
    "setpriv",
    ["--bounding-set=-sys_admin", "--inh-caps=-sys_admin", process.execPath, "--input-type=module", "-e", script],
    {
      encoding: "utf8",
      cwd: new URL(".", import.meta.url),
      timeout: 30_000,
    },
  );
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as T;
}

/** linkDo from the calling thread of a process that cannot enter: aimed by nsid (the arguments cross as the plain data they are). */
function linkDo(provider: NsProvider, link: LinkProvider, ...actions: LinkAction[]): Promise<LinkDoOutcome<unknown[]>> {
  const outcome = withoutSysAdmin<{ aims: boolean; capEff: string; value?: LinkDoOutcome<unknown[]>; error?: Record<string, unknown> }>(`
    import { readFileSync } from "node:fs";
    const [provider, link, actions] = ${JSON.stringify([provider, link, actions])};
    const aims = core.canLinkDoHere(provider, link, actions);
    const capEff = /CapEff:\\s*(\\S+)/.exec(readFileSync("/proc/self/status", "utf8"))[1];
    const print = (o) => console.log(JSON.stringify({ aims, capEff, ...o }));
    await core.linkDo(provider, link, ...actions).then((value) => print({ value }), (error) => print({ error: error.toJSON() }));`);
  // Checked each time: a call that went to a worker (which could not enter) would prove nothing about aiming.
  expect(outcome.aims).toBe(true);
  expect((BigInt(`0x${outcome.capEff}`) >> 21n) & 1n).toBe(0n);
  return outcome.error ? Promise.reject(errorFromJSON(outcome.error as never)) : Promise.resolve(outcome.value as LinkDoOutcome<unknown[]>);
}

/** The outcome of linkDo from here and of the same call on a worker, settled either way. */
async function bothWays(provider: NsProvider, here: LinkProvider, onWorker: LinkProvider, ...actions: LinkAction[]) {
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  return {
    here: await settle(linkDo(provider, here, ...actions)),
    worker: await settle(linkDoOn(pool, provider, onWorker, ...actions)),
  };
}

/** A Link without what differs between two links made alike (index, name, MAC unless given). */
const alike = ({ index: _index, name: _name, mac: _mac, ...rest }: Record<string, unknown>) => rest;

describe("linkDo from the calling thread, aiming by nsid", () => {
  it("makes a bridge with every common option as the worker does, as `ip -d link show` sees it", async () => {
    const options = { mtu: 1400, group: 7, up: true };
    const { here, worker } = await bothWays(
      where,
      lp.bridge(`${prefix}b1`, { ...options, mac: "02:00:00:00:7e:01" }),
      lp.bridge(`${prefix}b2`, { ...options, mac: "02:00:00:00:7e:02" }),
    );
    if (!("value" in here) || !("value" in worker)) throw new Error("both should succeed");
    expect(here.value.returned).toBe(true);
    expect(here.value.results).toEqual(worker.value.results);
    expect(alike(here.value.link)).toEqual(alike(worker.value.link));
    const seen = shown(nsA, `${prefix}b1`);
    expect(seen?.linkinfo?.info_kind).toBe("bridge");
    expect(seen?.mtu).toBe(1400);
    expect(seen?.group).toBe("7");
    expect(seen?.address).toBe("02:00:00:00:7e:01");
    expect(seen?.flags).toContain("UP");
    expect(seen?.ifindex).toBe(here.value.link.index);
    expect(ipJson<IpLink[]>("link", "show").some((l) => l.ifname === `${prefix}b1`)).toBe(false);
  });

  it("makes an ifb on a bridge of the namespace as the worker does", async () => {
    const { here, worker } = await bothWays(
      where,
      lp.ifb(`${prefix}i1`, { master: lp.name(`${prefix}br`), up: true }),
      lp.ifb(`${prefix}i2`, { master: lp.name(`${prefix}br`), up: true }),
    );
    if (!("value" in here) || !("value" in worker)) throw new Error("both should succeed");
    expect(alike(here.value.link)).toEqual(alike(worker.value.link));
    const bridge = shown(nsA, `${prefix}br`);
    expect(here.value.link.masterIndex).toBe(bridge?.ifindex);
    expect(shown(nsA, `${prefix}i1`)?.master).toBe(`${prefix}br`);
    expect(shown(nsA, `${prefix}i1`)?.linkinfo?.info_kind).toBe("ifb");
  });

  it("finds a link by name, index or alias as the worker does, a veth's peer namespace numbered as inside", async () => {
    const index = shown(nsA, `${prefix}p0`)?.ifindex as number;
    for (const provider of [lp.name(`${prefix}p0`), lp.index(index), lp.alias(`${prefix}-alias`), lp.name(`${prefix}r0`)]) {
      const { here, worker } = await bothWays(where, provider, provider);
      if (!("value" in here) || !("value" in worker)) throw new Error("both should succeed");
      expect(here.value).toEqual(worker.value);
    }
    for (const name of [`${prefix}p0`, `${prefix}r0`]) {
      const found = await linkDo(where, lp.name(name));
      expect(found.link.linkNetnsid).toBe(shown(nsA, name)?.link_netnsid);
    }
  });

  it("deletes a link as the worker does, returning it as it was", async () => {
    const before = await linkDoOn(pool, where, lp.name(`${prefix}q0`));
    const deleted = await linkDo(where, lp.name(`${prefix}q0`), la.delete());
    expect(deleted).toEqual({ ...before, results: [null] });
    expect(shown(nsA, `${prefix}q0`)).toBeUndefined();
    expect(ipJson<IpLink[]>("-n", nsB, "link", "show").some((l) => l.ifname === `${prefix}q1`)).toBe(false);
    const { here, worker } = await bothWays(where, lp.name(`${prefix}b1`), lp.name(`${prefix}b2`), la.delete());
    if (!("value" in here) || !("value" in worker)) throw new Error("both should succeed");
    expect(alike(here.value.link)).toEqual(alike(worker.value.link));
    expect(shown(nsA, `${prefix}b1`)).toBeUndefined();
  });

  it("fails as the worker does: a name taken, a missing master or one that is no bridge (nothing made), a missing link", async () => {
    const cases: [LinkProvider, LinkAction[]][] = [
      [lp.bridge(`${prefix}br`), []],
      [lp.ifb(`${prefix}i3`, { master: lp.name(`${prefix}none`) }), []],
      // A master that is no bridge: the kernel undoes the link it made.
      [lp.ifb(`${prefix}i5`, { master: lp.name(`${prefix}i1`) }), []],
      [lp.name(`${prefix}none`), [la.delete()]],
      [lp.index(999_999), []],
    ];
    for (const [provider, actions] of cases) {
      const { here, worker } = await bothWays(where, provider, provider, ...actions);
      if (!("error" in here) || !("error" in worker)) throw new Error("both should fail");
      expect(toErrorJSON(here.error)).toEqual(toErrorJSON(worker.error));
    }
    expect(shown(nsA, `${prefix}i3`)).toBeUndefined();
    expect(shown(nsA, `${prefix}i5`)).toBeUndefined();
    await expect(linkDo(where, lp.bridge(`${prefix}br`))).rejects.toMatchObject({ code: "ERR_LINK_EXISTS", actionIndex: -1 });
    await expect(linkDoOn(pool, ns.name(`${prefix}none`), lp.bridge(`${prefix}x`))).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
  });

  it("never acts in the caller's namespace: its names are not the target's", async () => {
    const hostBefore = ipJson<IpLink[]>("link", "show", "dev", hostOnly);
    // Deleting and finding it in the target: not there.
    const del = await bothWays(where, lp.name(hostOnly), lp.name(hostOnly), la.delete());
    if (!("error" in del.here) || !("error" in del.worker)) throw new Error("both should fail");
    expect(toErrorJSON(del.here.error)).toEqual(toErrorJSON(del.worker.error));
    // A master by the caller's name: not there either, and nothing made.
    await expect(linkDo(where, lp.ifb(`${prefix}i4`, { master: lp.name(hostOnly) }))).rejects.toMatchObject({
      code: "ERR_LINK_NOT_FOUND",
    });
    expect(shown(nsA, `${prefix}i4`)).toBeUndefined();
    // The caller's name is free in the target: made there.
    const made = await linkDo(where, lp.bridge(hostOnly));
    expect(shown(nsA, hostOnly)?.ifindex).toBe(made.link.index);
    expect(ipJson<IpLink[]>("link", "show", "dev", hostOnly)).toEqual(hostBefore);
  });

  it("keeps the worker for what the kernel does not do in the target, and enters for it where it may", () => {
    const cases: [string, LinkProvider, LinkAction[]][] = [
      ["new bridge", lp.bridge("x"), []],
      ["delete", lp.name("x"), [la.delete()]],
      // With a target, a change moves the caller's link of that name or index into the target.
      ["set", lp.name("x"), [la.up()]],
      ["new bridge, up", lp.bridge("x"), [la.up()]],
      ["address", lp.name("x"), [la.addAddr("10.0.0.1/24")]],
      // A veth's peer, a vxlan's underlay and a macvlan's parent are looked up in the caller's namespace.
      ["veth", lp.veth("x", { name: "y" }), []],
      ["vxlan", lp.vxlan("x", { id: 5 }), []],
      ["macvlan", lp.macvlan("x", lp.name("y")), []],
    ];
    const aiming = withoutSysAdmin<Record<string, boolean>>(`
      const cases = ${JSON.stringify(cases)};
      const where = ${JSON.stringify(where)};
      console.log(JSON.stringify(Object.fromEntries(cases.map(([name, link, actions]) => [name, core.canLinkDoHere(where, link, actions)]))));`);
    expect(aiming).toEqual({
      "new bridge": true,
      delete: true,
      set: false,
      "new bridge, up": false,
      address: false,
      veth: false,
      vxlan: false,
      macvlan: false,
    });
    // Root enters the namespace for all of them: one socket opened inside (here.test.ts).
    for (const [, link, actions] of cases) expect(canLinkDoHere(where, link, actions)).toBe(true);
    expect(canLinkDoHere(ns.create(), lp.bridge("x"), [])).toBe(false);
    // The entry point's is core's own (one module in the bundle, not a copy).
    expect(linkEntry.canLinkDoHere).toBe(canLinkDoHere);
  });

  it("starts no thread and leaves no descriptor open", () => {
    // A fresh process, through the CLI's entry point: this one's pool already has a worker.
    const { before, after, peerNsid } = withoutSysAdmin<{ before: number[]; after: number[]; peerNsid: number }>(`
      import { readdirSync } from "node:fs";
      const { la, linkDo, lp, ns } = core;
      const tasks = () => readdirSync("/proc/self/task").length;
      const fds = () => readdirSync("/proc/self/fd").length;
      const where = ns.name(${JSON.stringify(nsA)});
      const before = [tasks(), fds()];
      await linkDo(where, lp.bridge(${JSON.stringify(`${prefix}f`)}));
      await linkDo(where, lp.name(${JSON.stringify(`${prefix}f`)}), la.delete());
      await linkDo(where, lp.name(${JSON.stringify(`${prefix}none`)})).catch(() => {});
      const { link } = await linkDo(where, lp.name(${JSON.stringify(`${prefix}p0`)}));
      console.log(JSON.stringify({ before, after: [tasks(), fds()], peerNsid: link.linkNetnsid }));`);
    expect(after).toEqual(before);
    expect(shown(nsA, `${prefix}f`)).toBeUndefined();
    // A veth's peer namespace, read here (no thread started) in the target's own numbers.
    expect(peerNsid).toBe(shown(nsA, `${prefix}p0`)?.link_netnsid);
  });
});
