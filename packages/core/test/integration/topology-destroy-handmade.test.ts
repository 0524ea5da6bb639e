/**
 * Links made by hand in a lab's nodes, which destroy (and apply removing a
 * node) must get past. A node destroy reads (one with host links) has each
 * group of its links outside LAB_GROUP deleted in one request; a group the
 * kernel will not delete whole goes link by link. The kernel refuses group 0
 * (EPERM), the group of every link made without one, which destroy asks for
 * once the loopback is in another group. Tap and tun devices (made by ioctl
 * only) are deleted through rtnetlink like any other link: the kernel gives
 * link ops without a dellink of their own, as tun's are, the default one.
 * A device with no rtnetlink delete at all (a physical NIC or VF moved in;
 * none such can be made here) the kernel refuses to delete, and a group that
 * holds one, with EOPNOTSUPP: destroy leaves it to go with its namespace (the
 * kernel moves such a device back to the host's as it destroys the node's)
 * and says so. That test runs destroy with netlink-faults.mjs preloaded
 * (faults.ts): the kernel's EOPNOTSUPP is its own, to those deletions sent as
 * deletions of the loopback.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { underFaults } from "./faults.js";
import { cleanup, ip, ipJson, namespaceHolder, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tdh");
const parent = `${prefix}p`;
/** The IFLA_GROUP of a lab's links that go with its namespaces (teardown.ts). */
const LAB_GROUP = String(0x4e4c);

beforeAll(() => ip("link", "add", parent, "type", "bridge"));

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** Namespaces held open until the test ends, so that what destroy deleted in them can be read after it let them go. */
const { hold, release } = namespaceHolder();
const programs: ChildProcess[] = [];
afterEach(() => {
  release();
  for (const p of programs.splice(0)) p.kill("SIGKILL");
});

interface IpLink {
  ifindex: number;
  ifname: string;
  group: string;
  linkinfo?: { info_kind?: string };
}

/** `ip -j -d link show` inside the namespace open at `path` (its name is gone once destroyed). */
const linksAt = (path: string) =>
  JSON.parse(execFileSync("nsenter", [`--net=${path}`, "ip", "-j", "-d", "link", "show"], { encoding: "utf8" })) as IpLink[];

const labWithHostLink = (lab: string, extra = "") =>
  topology.load(`name: ${lab}
nodes:
  a:
    bridges: [br0]
    interfaces:
      mv0: { kind: macvlan, parent: ${parent} }
  b: {}
${extra}links:
  - endpoints: ["a:eth0", "b:eth0"]
`);

/** A program in `netns` holding tap `name` open (not persistent: the device lives while the descriptor does). */
async function tapHolder(netns: string, name: string): Promise<ChildProcess> {
  const TUNSETIFF = 0x400454ca;
  const IFF_TAP_NO_PI = 0x0002 | 0x1000;
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      netns,
      "python3",
      "-c",
      `import fcntl,os,struct,sys,time;fd=os.open("/dev/net/tun",os.O_RDWR);fcntl.ioctl(fd,${TUNSETIFF},struct.pack("16sH",b"${name}",${IFF_TAP_NO_PI}));print("held",flush=True);time.sleep(600)`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  programs.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the tap holder exited (${code})`)));
  });
  return child;
}

describe("destroy, a node with links made by hand", () => {
  it("deletes a group the kernel refuses to delete whole (EPERM) link by link, checked in the namespace it let go", async () => {
    const lab = `${prefix}g`;
    const t = labWithHostLink(lab);
    await topology.apply(t);
    const a = `${lab}-a`;
    ip("-n", a, "link", "set", "lo", "group", "5");
    // Made without a group: group 0, which is no longer the loopback's.
    ip("-n", a, "link", "add", "hb0", "type", "bridge");
    ip("-n", a, "tuntap", "add", "mode", "tap", "name", "t0");
    // In the loopback's group now: never deleted as a group (it would take lo with it).
    ip("-n", a, "link", "add", "hb5", "type", "bridge");
    ip("-n", a, "link", "set", "hb5", "group", "5");
    expect(() => ip("-n", a, "link", "del", "group", "0")).toThrow(/Operation not permitted/);
    const path = hold(a);
    expect(
      linksAt(path)
        .map((l) => `${l.ifname} ${l.group}`)
        .sort(),
    ).toEqual(["br0 20044", "eth0 20044", "hb0 default", "hb5 5", "lo 5", "mv0 20045", "t0 default"]);

    const { removed } = await topology.destroy(t);
    expect(removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(netnsList(lab)).toEqual([]);
    // Every link not the lab's to go with the namespace was deleted by destroy; the lab's own (br0, and eth0 until its
    // far end's namespace is destroyed) go with it.
    expect(linksAt(path).filter((l) => l.ifname !== "lo" && l.group !== LAB_GROUP)).toEqual([]);
  });

  it("gets past tap and tun devices, in a node it reads and in one it does not, one held open by a program", async () => {
    const lab = `${prefix}t`;
    const t = labWithHostLink(lab, "  c: {}\n");
    await topology.apply(t);
    const [a, b, c] = ["a", "b", "c"].map((n) => `${lab}-${n}`) as [string, string, string];
    ip("-n", a, "tuntap", "add", "mode", "tap", "name", "t0");
    ip("-n", a, "tuntap", "add", "mode", "tun", "name", "t1");
    ip("-n", a, "tuntap", "add", "mode", "tap", "name", "t2", "multi_queue");
    ip("-n", a, "link", "set", "t2", "master", "br0");
    ip("-n", a, "link", "set", "t1", "group", LAB_GROUP);
    ip("-n", b, "tuntap", "add", "mode", "tap", "name", "t0");
    const holder = await tapHolder(c, "t9");
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    expect(ipJson<IpLink[]>("-n", c, "link", "show", "t9")[0]?.linkinfo?.info_kind).toBe("tun");
    const path = hold(a);

    const { removed } = await topology.destroy(t);
    expect(removed.map((r) => r.node).sort()).toEqual(["a", "b", "c"]);
    expect(netnsList(lab)).toEqual([]);
    // Ended with its node: a namespace with a process inside is never destroyed.
    await exited;
    // a was read (it has a host link): its taps outside the lab's group were deleted; t1, in it, goes with a.
    expect(linksAt(path).flatMap((l) => (l.linkinfo?.info_kind === "tun" ? [l.ifname] : []))).toEqual(["t1"]);
  });

  it("leaves a link the kernel refuses to delete (EOPNOTSUPP) to go with its namespace, deletes the others, and says so", async () => {
    const lab = `${prefix}n`;
    const t = labWithHostLink(lab);
    await topology.apply(t);
    const a = `${lab}-a`;
    // nic0 in a group of its own with hb1: the group's delete is refused whole, then each goes alone. nic1 and hb0 in
    // the loopback's group (0: made without one), which goes link by link.
    const GROUP = "4660";
    ip("-n", a, "link", "add", "nic0", "index", "7777", "type", "bridge");
    ip("-n", a, "link", "add", "hb1", "type", "bridge");
    for (const link of ["nic0", "hb1"]) ip("-n", a, "link", "set", link, "group", GROUP);
    ip("-n", a, "link", "add", "nic1", "index", "7778", "type", "bridge");
    ip("-n", a, "link", "add", "hb0", "type", "bridge");
    const path = hold(a);

    const refuse = { indexes: [7777, 7778], groups: [Number(GROUP)] };
    const { result, error } = underFaults<topology.DestroyResult>("destroy", { lab }, { refuse });
    expect(error).toBeUndefined();
    expect(result?.removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(result?.linksLeft).toEqual([
      { node: "a", netns: a, dev: "nic0" },
      { node: "a", netns: a, dev: "nic1" },
    ]);
    expect(netnsList(lab)).toEqual([]);
    // In the namespace destroy let go (held here): the refused links are there, the other links it deletes first (not
    // in the lab's group: the macvlan, those made by hand) are gone.
    expect(
      linksAt(path)
        .filter((l) => l.ifname !== "lo" && l.group !== LAB_GROUP)
        .map((l) => [l.ifname, l.ifindex]),
    ).toEqual([
      ["nic0", 7777],
      ["nic1", 7778],
    ]);
  });

  it("lists such a link in a node the record vouches for (no host links), moved in from the host after apply", async () => {
    const lab = `${prefix}v`;
    await topology.apply(topology.load(`name: ${lab}\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: ["a:eth0", "b:eth0"]\n`));
    const a = `${lab}-a`;
    const record = JSON.parse(readFileSync(`/run/neslink/topologies/${lab}/.ns-record.json`, "utf8"));
    expect(record.namespaces[a]).toMatchObject({ node: "a", hostBound: false });
    // Stands for the NIC: made in the host and moved into the node as one is (a bridge cannot move), its deletion refused.
    // An index of its own in the host, kept in the node.
    const nic = `${lab}x`;
    const index = 100_000 + Math.floor(Math.random() * 900_000);
    ip("link", "add", nic, "index", String(index), "type", "ifb");
    ip("link", "set", nic, "netns", a);
    const path = hold(a);

    const { result, error } = underFaults<topology.DestroyResult>("destroy", { lab }, { refuse: { indexes: [index] } });
    expect(error).toBeUndefined();
    expect(result?.removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(result?.linksLeft).toEqual([{ node: "a", netns: a, dev: nic }]);
    expect(netnsList(lab)).toEqual([]);
    // Left in the namespace destroy let go (held here), for the kernel to move back (a real NIC) as it destroys it.
    expect(linksAt(path).flatMap((l) => (l.ifname === nic ? [l.ifindex] : []))).toEqual([index]);
  });

  it("apply removing a node gets past a tap in it", async () => {
    const lab = `${prefix}r`;
    const three = labWithHostLink(lab, "  c: {}\n");
    await topology.apply(three);
    ip("-n", `${lab}-c`, "tuntap", "add", "mode", "tap", "name", "t0");
    ip("-n", `${lab}-b`, "tuntap", "add", "mode", "tap", "name", "t0");
    const two = labWithHostLink(lab);
    const { changes } = await topology.apply(two);
    expect(changes.map((ch) => `${ch.object} ${ch.op} ${"name" in ch ? ch.name : ch.node}`).sort()).toEqual([
      "link delete t0",
      "netns delete c",
    ]);
    expect(netnsList(lab).sort()).toEqual([`${lab}-a`, `${lab}-b`]);
    expect(ipJson<IpLink[]>("-n", `${lab}-b`, "link", "show").map((l) => l.ifname)).not.toContain("t0");
    await topology.destroy(two);
  });
});
