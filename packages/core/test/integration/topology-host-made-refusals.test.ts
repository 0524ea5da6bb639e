/**
 * What plan refuses of a lab's vxlans and macvlans because the kernel would refuse it once apply had made the lab's
 * namespaces (apply failed part-way, and again each time): each claim is shown with iproute2 in a scratch namespace
 * standing for the host (where a lab's vxlans and macvlans are made), then load or plan is seen refusing the same
 * file, naming its field and line.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, TopologyError, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("thm");
const scratch = `${prefix}-s`;
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

/** `ip -n scratch ...`: its status and what it said. */
const ipIn = (...args: string[]) => {
  const r = spawnSync("ip", ["-n", scratch, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr.trim() };
};

/** The problems load finds in `lines` (a file's text, after its name), as FILE:LINE:COL: PATH: MESSAGE. */
function problemsOf(lines: string[]): string[] {
  const file = `${dir}/lab.yaml`;
  writeFileSync(file, [`name: ${prefix}`, ...lines, ""].join("\n"));
  try {
    topology.load(file);
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as TopologyError).message
      .split("\n")
      .slice(1)
      .map((l) => l.trim().replace(`${dir}/`, ""));
  }
  return [];
}

beforeAll(() => {
  execFileSync("ip", ["netns", "add", scratch]);
  execFileSync("ip", ["-n", scratch, "link", "add", "u0", "type", "veth", "peer", "name", "u1"]);
  execFileSync("ip", ["-n", scratch, "link", "add", "u2", "type", "veth", "peer", "name", "u3"]);
});
afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

describe("vxlans", () => {
  it("remote with group, a local of another family, a multicast local: refused by load at the field", () => {
    // ip refuses remote with group itself; core's lp.newVxlan refused it only once apply had begun.
    expect(ipIn("link", "add", "vx0", "type", "vxlan", "id", "5", "remote", "192.0.2.1", "group", "239.1.1.1", "dev", "u0")).toEqual({
      status: 1,
      stderr: expect.stringContaining("both group and remote cannot be specified"),
    });
    const vxlans = [
      "nodes:",
      "  a:",
      "    interfaces:",
      "      vx0: { kind: vxlan, id: 5, remote: 192.0.2.1, group: 239.1.1.1, parent: u0 }",
      "      vx1: { kind: vxlan, id: 6, remote: 192.0.2.1, local: 'fd00::1' }",
      "      vx2: { kind: vxlan, id: 7, remote: 192.0.2.1, local: 239.1.1.1 }",
      "      vx3: { kind: vxlan, id: 8, remote: 239.1.1.2 }",
      "      vx4: { kind: vxlan, id: 9, remote: 192.0.2.1, local: 192.0.2.9 }",
    ];
    expect(problemsOf(vxlans)).toEqual([
      "lab.yaml:5:42: nodes.a.interfaces.vx0.remote: cannot be given with group",
      "lab.yaml:6:42: nodes.a.interfaces.vx1.remote: is not of the address family of local",
      "lab.yaml:7:60: nodes.a.interfaces.vx2.local: must not be a multicast address (the kernel refuses one as the local address)",
      "lab.yaml:8:42: nodes.a.interfaces.vx3.remote: must not be a multicast address (use group)",
    ]);
  });

  it("two with the same id, port and family, whatever their node or parent: EEXIST at the second; another port or family is another", () => {
    const add = (name: string, ...args: string[]) => ipIn("link", "add", name, "type", "vxlan", "id", "7", "dstport", "4789", ...args);
    expect(add("vx1", "remote", "192.0.2.2", "dev", "u0")).toEqual({ status: 0, stderr: "" });
    expect(add("vx2", "remote", "192.0.2.3", "dev", "u2")).toEqual({ status: 2, stderr: expect.stringContaining("VNI already exists") });
    expect(add("vx2", "remote", "192.0.2.3")).toEqual({ status: 2, stderr: expect.stringContaining("VNI already exists") });
    expect(add("vx2", "remote", "2001:db8::3")).toEqual({ status: 0, stderr: "" });
    expect(ipIn("link", "add", "vx3", "type", "vxlan", "id", "7", "dstport", "4790", "remote", "192.0.2.3")).toEqual({
      status: 0,
      stderr: "",
    });
    expect(
      problemsOf([
        "nodes:",
        "  a:",
        "    interfaces:",
        "      vx0: { kind: vxlan, id: 7, remote: 192.0.2.2, port: 4789, parent: u0 }",
        "      vx1: { kind: vxlan, id: 7, remote: 2001:db8::3, port: 4789 }",
        "      vx2: { kind: vxlan, id: 7, remote: 192.0.2.3, port: 4790 }",
        "      vx3: { kind: vxlan, id: 8, remote: 192.0.2.3 }",
        "  b:",
        "    interfaces:",
        "      vx0: { kind: vxlan, id: 7, remote: 192.0.2.3, port: 4789, parent: u2 }",
        "      vx1: { kind: vxlan, id: 8, remote: 192.0.2.4 }",
      ]),
    ).toEqual([
      "lab.yaml:11:31: nodes.b.interfaces.vx0.id: nodes.a.interfaces.vx0 has the same id 7 and port 4789: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses the second (EEXIST); give another id or port",
      "lab.yaml:12:31: nodes.b.interfaces.vx1.id: nodes.a.interfaces.vx3 has the same id 8 and port 8472: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses the second (EEXIST); give another id or port",
    ]);
  });
});

describe("macvlans", () => {
  it("a passthru one beside another on the same parent: EINVAL, in either order", () => {
    const add = (name: string, mode: string) => ipIn("link", "add", name, "link", "u0", "type", "macvlan", "mode", mode);
    expect(add("p0", "passthru")).toEqual({ status: 0, stderr: "" });
    expect(add("p1", "passthru")).toEqual({ status: 2, stderr: expect.stringContaining("Invalid argument") });
    expect(add("p1", "bridge")).toEqual({ status: 2, stderr: expect.stringContaining("Invalid argument") });
    ip("-n", scratch, "link", "del", "p0");
    expect(add("p2", "bridge")).toEqual({ status: 0, stderr: "" });
    expect(add("p3", "passthru")).toEqual({ status: 2, stderr: expect.stringContaining("Invalid argument") });
    ip("-n", scratch, "link", "del", "p2");
    expect(
      problemsOf([
        "nodes:",
        "  a: { interfaces: { m0: { kind: macvlan, parent: u0, mode: passthru }, m1: { kind: macvlan, parent: u2 } } }",
        "  b: { interfaces: { m0: { kind: macvlan, parent: u0, mode: passthru }, m1: { kind: macvlan, parent: u2 } } }",
      ]),
    ).toEqual([
      'lab.yaml:3:61: nodes.a.interfaces.m0.mode: a passthru macvlan must be the only macvlan on its parent, and host link "u0" has nodes.b.interfaces.m0 too: the kernel refuses one of them (EINVAL)',
      'lab.yaml:4:61: nodes.b.interfaces.m0.mode: a passthru macvlan must be the only macvlan on its parent, and host link "u0" has nodes.a.interfaces.m0 too: the kernel refuses one of them (EINVAL)',
    ]);
  });

  it("larger than its parent: EINVAL; plan and apply refuse it at its line, by the host parent's live MTU, nothing made", async () => {
    expect(ipIn("link", "add", "m0", "link", "u0", "mtu", "9000", "type", "macvlan")).toEqual({
      status: 2,
      stderr: expect.stringContaining("Invalid argument"),
    });
    expect(ipIn("link", "add", "m0", "link", "u0", "mtu", "1500", "type", "macvlan")).toEqual({ status: 0, stderr: "" });
    // The lab's parent: a host veth of this test's own (MTU 1500).
    const parent = `${prefix}p`;
    ip("link", "add", parent, "type", "veth", "peer", "name", `${prefix}q`);
    const file = `${dir}/mtu.yaml`;
    const lab = (mtu: number) => {
      writeFileSync(
        file,
        [`name: ${prefix}`, "nodes:", "  a:", "    interfaces:", `      m0: { kind: macvlan, parent: ${parent}, mtu: ${mtu} }`, ""].join(
          "\n",
        ),
      );
      return topology.load(file);
    };
    const big = lab(9000);
    for (const run of [() => topology.plan(big), () => topology.apply(big)]) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TopologyError);
      expect((err as TopologyError).message.split("\n").slice(1)).toEqual([
        `  ${file}:5:53: nodes.a.interfaces.m0.mtu: 9000 is more than the MTU of its parent, host link "${parent}" (1500): the kernel refuses a macvlan larger than its parent (EINVAL); give at most 1500, or raise the parent's first`,
      ]);
      expect(netnsList(`${prefix}-a`)).toEqual([]);
    }
    // Raised first, the parent takes it.
    ip("link", "set", parent, "mtu", "9000");
    expect((await topology.plan(big)).changes.map(topology.describeChange)).toContain(
      `+ link macvlan a:m0 on host link ${parent} (bridge)`,
    );
  });
});
