/**
 * Apply meeting a link the kernel refuses to delete (EOPNOTSUPP: a device
 * with no rtnetlink delete, a physical NIC or VF moved into a node by hand):
 * a node being removed takes it with its namespace (the kernel moves such a
 * device back to the host's as it destroys the node's), said in
 * `linksLeft`; one apply would delete from a node that stays is left there,
 * said in `linksKept`, unless the file makes a link of its name there, which
 * fails with ERR_LINK_UNDELETABLE naming it. None such can be made here:
 * apply runs with netlink-faults.mjs preloaded (faults.ts), which sends those
 * deletions as the loopback's, and the kernel's EOPNOTSUPP is its own.
 */
import { execFileSync } from "node:child_process";
import type { topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { underFaults } from "./faults.js";
import { cleanup, ip, ipJson, namespaceHolder, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tar");

afterAll(() => cleanup(prefix));

const { hold, release } = namespaceHolder();
afterEach(release);

interface IpLink {
  ifindex: number;
  ifname: string;
}

/** `ip -j -d link show` inside the namespace open at `path` (its name is gone once removed). */
const linksAt = (path: string) =>
  (JSON.parse(execFileSync("nsenter", [`--net=${path}`, "ip", "-j", "-d", "link", "show"], { encoding: "utf8" })) as IpLink[]).map((l) => [
    l.ifname,
    l.ifindex,
  ]);
const linksIn = (netns: string) => ipJson<IpLink[]>("-n", netns, "link", "show").map((l) => [l.ifname, l.ifindex]);

const TWO = (lab: string) => `name: ${lab}\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: ["a:eth0", "b:eth0"]\n`;
const THREE = (lab: string) =>
  `name: ${lab}\nnodes:\n  a: {}\n  b: {}\n  c: { bridges: [br0] }\nlinks:\n  - endpoints: ["a:eth0", "b:eth0"]\n  - endpoints: ["b:eth1", "c:eth0"]\n`;

/** apply of `text` in a process of its own, the deletion of the links at `indexes` refused by the kernel. */
const applyRefusing = (text: string, indexes: number[]) => underFaults<topology.ApplyResult>("apply", { text }, { refuse: { indexes } });

const summarised = (changes: topology.Change[]) =>
  changes.map((ch) => `${ch.op} ${ch.object} ${ch.node}${"name" in ch ? `:${ch.name}` : ""}`).sort();

describe("apply and a link the kernel refuses to delete", () => {
  it("removing a node: leaves it to go with the namespace, deletes the node's other links first, and says so", () => {
    const lab = `${prefix}r`;
    expect(applyRefusing(THREE(lab), []).error).toBeUndefined();
    const c = `${lab}-c`;
    ip("-n", c, "link", "add", "nic0", "index", "7777", "type", "bridge");
    ip("-n", c, "link", "add", "hb0", "type", "bridge");
    const path = hold(c);

    const { result, error } = applyRefusing(TWO(lab), [7777]);
    expect(error).toBeUndefined();
    expect(result?.linksLeft).toEqual([{ node: "c", netns: c, dev: "nic0" }]);
    expect(result?.linksKept).toEqual([]);
    expect(summarised(result?.changes ?? [])).toEqual(["delete link b:eth1", "delete netns c"]);
    expect(netnsList(lab).sort()).toEqual([`${lab}-a`, `${lab}-b`]);
    // In the namespace apply let go (held here): the refused link alone is left; the lab's bridge and the link made by
    // hand were deleted before its unmount.
    expect(linksAt(path)).toEqual([
      ["lo", 1],
      ["nic0", 7777],
    ]);
    expect(linksIn(`${lab}-b`).map(([name]) => name)).toEqual(["lo", "eth0"]);
  });

  it("a link made by hand in a node that stays: leaves it there, deletes the others, says so on every apply", () => {
    const lab = `${prefix}k`;
    expect(applyRefusing(TWO(lab), []).error).toBeUndefined();
    const a = `${lab}-a`;
    ip("-n", a, "link", "add", "nic1", "index", "7778", "type", "bridge");
    ip("-n", a, "link", "add", "hb1", "type", "bridge");

    const first = applyRefusing(TWO(lab), [7778]);
    expect(first.error).toBeUndefined();
    expect(first.result?.linksKept).toEqual([{ node: "a", netns: a, dev: "nic1" }]);
    expect(first.result?.linksLeft).toEqual([]);
    // Not made, so not among the changes done, nor counted.
    expect(summarised(first.result?.changes ?? [])).toEqual(["delete link a:hb1"]);
    expect(first.result?.summary).toEqual({ add: 0, change: 0, destroy: 1 });
    expect(linksIn(a).map(([name]) => name)).toEqual(["lo", "eth0", "nic1"]);
    expect(linksIn(a).find(([name]) => name === "nic1")).toEqual(["nic1", 7778]);

    const again = applyRefusing(TWO(lab), [7778]);
    expect(again.error).toBeUndefined();
    expect(again.result?.linksKept).toEqual([{ node: "a", netns: a, dev: "nic1" }]);
    expect(again.result?.changes).toEqual([]);
    expect(linksIn(a).map(([name]) => name)).toEqual(["lo", "eth0", "nic1"]);
  });

  it("one in the place of a link of the file: fails with ERR_LINK_UNDELETABLE, naming it and how to move it, and leaves it", () => {
    const lab = `${prefix}f`;
    expect(applyRefusing(TWO(lab), []).error).toBeUndefined();
    const a = `${lab}-a`;
    ip("-n", a, "link", "del", "eth0");
    ip("-n", a, "link", "add", "eth0", "index", "7779", "type", "bridge");

    const { error } = applyRefusing(TWO(lab), [7779]);
    expect(error).toMatchObject({ code: "ERR_TOPOLOGY_APPLY" });
    const failures = error?.failures as { changes: string[]; error: { code: string; message: string } }[];
    expect(failures).toEqual([
      { changes: [expect.stringContaining("eth0")], notAttempted: [], error: expect.objectContaining({ code: "ERR_LINK_UNDELETABLE" }) },
    ]);
    const message = failures[0]?.error.message;
    expect(message).toContain(`link eth0 of node a (namespace ${a})`);
    expect(message).toContain(`ip -n ${a} link set dev eth0 netns 1`);
    expect(linksIn(a)).toEqual([
      ["lo", 1],
      ["eth0", 7779],
    ]);
  });
});
