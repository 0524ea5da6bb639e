/**
 * A lab's vxlan or macvlan that clashes with a link made by hand in the host namespace (outside the file): plan and
 * apply refuse the file at the field at fault, naming the host link, before any change, where apply made the lab's
 * namespaces and veths and failed part-way on the kernel's EEXIST, EINVAL or EBUSY. Each rule is first shown with
 * iproute2: the lab's link made as apply makes it, from the host straight into another namespace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, TopologyError, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, hostLinkNames, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("t26t");
const lab = `${prefix}l`;
const scratch = `${prefix}-s`;
/** A host link to put macvlans on (a veth: an Ethernet link no bridge holds). */
const parent = `${prefix}p`;
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

beforeAll(() => {
  ip("netns", "add", scratch);
  ip("link", "add", parent, "type", "veth", "peer", "name", `${prefix}q`);
});
afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

/** What the kernel says of `ip link add NAME netns scratch ARGS...` (deleted again when made): its status and words. */
function kernelSays(name: string, ...args: string[]) {
  const r = spawnSync("ip", ["link", "add", name, "netns", scratch, ...args], { encoding: "utf8" });
  if (r.status === 0) ip("-n", scratch, "link", "del", name);
  return { status: r.status, stderr: r.stderr.trim() };
}

/** `made` (ip link add's words) in the host while `fn` runs, deleted after however it ends. */
async function withHostLinks(made: string[][], fn: () => Promise<void>): Promise<void> {
  const names: string[] = [];
  try {
    for (const args of made) {
      ip("link", "add", ...args);
      names.push(args[0] as string);
    }
    await fn();
  } finally {
    for (const name of names.reverse()) ip("link", "del", name);
  }
}

/** The lab's file: node a with `interfaces` (its lines), a veth to node b (made before them, by apply). */
function labFile(interfaces: string[]) {
  const file = `${dir}/lab.yaml`;
  const lines = [`name: ${lab}`, "nodes:", "  a:", "    interfaces:", ...interfaces.map((l) => `      ${l}`), "  b: {}"];
  writeFileSync(file, [...lines, "links:", "  - endpoints: [a:eth0, b:eth0]", ""].join("\n"));
  return topology.load(file);
}

/** The problems plan and apply both find in the file (the same), as FILE:LINE:COL: PATH: MESSAGE; nothing made. */
async function refused(interfaces: string[]): Promise<string[]> {
  const t = labFile(interfaces);
  const host = hostLinkNames(prefix);
  const problems = async (run: Promise<unknown>) => {
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopologyError);
    return (err as TopologyError).message
      .split("\n")
      .slice(1)
      .map((l) => l.trim().replace(`${dir}/`, ""));
  };
  const planned = await problems(topology.plan(t));
  expect(await problems(topology.apply(t))).toEqual(planned);
  expect(netnsList(lab)).toEqual([]);
  expect(hostLinkNames(prefix)).toEqual(host);
  return planned;
}

/** The vxlans and macvlans plan would make of the file (not refused), as `node:name`. */
async function planned(interfaces: string[]): Promise<string[]> {
  const { changes } = await topology.plan(labFile(interfaces));
  return changes.flatMap((c) => (c.object === "link" && c.op === "create" && c.kind !== "veth" ? [`${c.node}:${c.name}`] : []));
}

describe("a vxlan", () => {
  const vxlan = `${prefix}vx`;
  const vxlanDefault = `${prefix}vd`;
  const made = [
    [vxlan, "type", "vxlan", "id", "4242", "dstport", "4789"],
    [vxlanDefault, "type", "vxlan", "id", "4243", "dstport", "8472"],
  ];

  it("of the id and port of a vxlan made in the host (the kernel's default port too): refused at its id, naming it", async () => {
    await withHostLinks(made, async () => {
      // Its addresses and parent tell it apart from none.
      for (const more of [[], ["local", "192.0.2.9"], ["remote", "192.0.2.1", "dev", parent]])
        expect(kernelSays("vx0", "type", "vxlan", "id", "4242", "dstport", "4789", ...more)).toEqual({
          status: 2,
          stderr: "Error: A VXLAN device with the specified VNI already exists.",
        });
      expect(
        await refused([
          "vx0: { kind: vxlan, id: 4242, port: 4789, remote: 192.0.2.1 }",
          `vx1: { kind: vxlan, id: 4243, remote: 192.0.2.1, parent: ${parent} }`,
        ]),
      ).toEqual([
        `lab.yaml:5:31: nodes.a.interfaces.vx0.id: host link "${vxlan}" is a vxlan of the same id 4242 and port 4789: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses this one (EEXIST); give another id or port, or delete "${vxlan}"`,
        `lab.yaml:6:31: nodes.a.interfaces.vx1.id: host link "${vxlanDefault}" is a vxlan of the same id 4243 and port 8472: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses this one (EEXIST); give another id or port, or delete "${vxlanDefault}"`,
      ]);
    });
  });

  it("of another port or address family is planned, as the kernel makes it", async () => {
    await withHostLinks(made, async () => {
      expect(kernelSays("vx0", "type", "vxlan", "id", "4242", "dstport", "4790")).toEqual({ status: 0, stderr: "" });
      expect(kernelSays("vx0", "type", "vxlan", "id", "4242", "dstport", "4789", "remote", "2001:db8::1")).toEqual({
        status: 0,
        stderr: "",
      });
      expect(
        await planned([
          "vx0: { kind: vxlan, id: 4242, port: 4790, remote: 192.0.2.1 }",
          "vx1: { kind: vxlan, id: 4242, port: 4789, remote: '2001:db8::1' }",
        ]),
      ).toEqual(["a:vx0", "a:vx1"]);
    });
  });
});

describe("a macvlan", () => {
  const mode = (m: string) => ["type", "macvlan", "mode", m];

  it("next to a passthru macvlan of the host, on its parent or on it: refused at its parent", async () => {
    const passthru = `${prefix}pt`;
    await withHostLinks([[passthru, "link", parent, ...mode("passthru")]], async () => {
      expect(kernelSays("mv0", "link", parent, ...mode("bridge"))).toEqual({ status: 2, stderr: "RTNETLINK answers: Invalid argument" });
      expect(kernelSays("mv0", "link", passthru, ...mode("bridge"))).toEqual({ status: 2, stderr: "RTNETLINK answers: Invalid argument" });
      expect(await refused([`mv0: { kind: macvlan, parent: ${parent} }`, `mv1: { kind: macvlan, parent: ${passthru} }`])).toEqual([
        `lab.yaml:5:37: nodes.a.interfaces.mv0.parent: host link "${parent}" has passthru macvlan "${passthru}", which takes it whole: the kernel refuses another macvlan on it (EINVAL)`,
        `lab.yaml:6:37: nodes.a.interfaces.mv1.parent: host link "${parent}" (macvlan "${passthru}" is on it) has passthru macvlan "${passthru}", which takes it whole: the kernel refuses another macvlan on it (EINVAL)`,
      ]);
    });
  });

  it("in passthru mode on a parent the host has a macvlan on: refused at its mode; in bridge mode, planned", async () => {
    const other = `${prefix}br`;
    await withHostLinks([[other, "link", parent, ...mode("bridge")]], async () => {
      expect(kernelSays("mv0", "link", parent, ...mode("passthru"))).toEqual({ status: 2, stderr: "RTNETLINK answers: Invalid argument" });
      expect(kernelSays("mv0", "link", parent, ...mode("bridge"))).toEqual({ status: 0, stderr: "" });
      expect(await refused([`mv0: { kind: macvlan, parent: ${parent}, mode: passthru }`])).toEqual([
        `lab.yaml:5:56: nodes.a.interfaces.mv0.mode: a passthru macvlan must be the only macvlan on its parent, and host link "${parent}" has "${other}": the kernel refuses it (EINVAL)`,
      ]);
      expect(await planned([`mv0: { kind: macvlan, parent: ${parent} }`])).toEqual(["a:mv0"]);
    });
  });

  it("on a port of a host bridge, or on the loopback: refused at its parent; on the bridge itself, planned", async () => {
    const bridge = `${prefix}b`;
    const port = `${prefix}bp`;
    await withHostLinks(
      [
        [bridge, "type", "bridge"],
        [port, "master", bridge, "type", "veth", "peer", "name", `${prefix}bq`],
      ],
      async () => {
        expect(kernelSays("mv0", "link", port, ...mode("bridge"))).toEqual({
          status: 2,
          stderr: "RTNETLINK answers: Device or resource busy",
        });
        expect(kernelSays("mv0", "link", "lo", ...mode("bridge"))).toEqual({ status: 2, stderr: "RTNETLINK answers: Invalid argument" });
        expect(kernelSays("mv0", "link", bridge, ...mode("bridge"))).toEqual({ status: 0, stderr: "" });
        expect(await refused([`mv0: { kind: macvlan, parent: ${port} }`, "mv1: { kind: macvlan, parent: lo }"])).toEqual([
          `lab.yaml:5:37: nodes.a.interfaces.mv0.parent: host link "${port}" is a port of bridge "${bridge}", which holds it: the kernel makes no macvlan on it (EBUSY); give the bridge, or take "${port}" out of it`,
          'lab.yaml:6:37: nodes.a.interfaces.mv1.parent: host link "lo" is the loopback: the kernel makes no macvlan on it (EINVAL)',
        ]);
        expect(await planned([`mv0: { kind: macvlan, parent: ${bridge} }`])).toEqual(["a:mv0"]);
      },
    );
  });

  it("up with the MAC of its parent or of an up macvlan on it: refused at its mac; down, or an unused MAC, planned", async () => {
    const [up, down] = [`${prefix}m1`, `${prefix}m2`];
    await withHostLinks(
      [
        [up, "link", parent, "address", "02:26:00:00:00:01", "up", ...mode("bridge")],
        [down, "link", parent, "address", "02:26:00:00:00:02", ...mode("bridge")],
      ],
      async () => {
        const [{ address: own }] = ipJson<[{ address: string }]>("link", "show", parent);
        for (const taken of [own, "02:26:00:00:00:01"])
          expect(kernelSays("mv0", "link", parent, "address", taken, "up", ...mode("bridge"))).toEqual({
            status: 2,
            stderr: "RTNETLINK answers: Address already in use",
          });
        expect(kernelSays("mv0", "link", parent, "address", "02:26:00:00:00:02", "up", ...mode("bridge"))).toEqual({
          status: 0,
          stderr: "",
        });
        expect(kernelSays("mv0", "link", parent, "address", own, ...mode("bridge"))).toEqual({ status: 0, stderr: "" });
        expect(
          await refused([
            `mv0: { kind: macvlan, parent: ${parent}, mac: '${own.toUpperCase()}' }`,
            `mv1: { kind: macvlan, parent: ${parent}, mac: '02:26:00:00:00:01' }`,
          ]),
        ).toEqual([
          `lab.yaml:5:55: nodes.a.interfaces.mv0.mac: ${own} is the MAC of host link "${parent}": the kernel refuses a macvlan up with a MAC taken on its parent (EADDRINUSE); give another`,
          `lab.yaml:6:55: nodes.a.interfaces.mv1.mac: 02:26:00:00:00:01 is the MAC of host link "${up}", a macvlan on "${parent}": the kernel refuses a macvlan up with a MAC taken on its parent (EADDRINUSE); give another`,
        ]);
        expect(
          await planned([
            `mv0: { kind: macvlan, parent: ${parent}, mac: '${own}', up: false }`,
            `mv1: { kind: macvlan, parent: ${parent}, mac: '02:26:00:00:00:02' }`,
          ]),
        ).toEqual(["a:mv0", "a:mv1"]);
      },
    );
  });
});
