/**
 * A veth made by hand after apply, from a recorded lab namespace to the host: the record (written at apply) says
 * the node has no host links, but destroy must still delete the host's end before it returns, as it does when it
 * reads the node, not leave it to the kernel's later destruction of the namespace.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tp");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const hostLinks = (name: string) =>
  ipJson<{ ifname: string }[]>("link", "show").flatMap((l) => (l.ifname.startsWith(name) ? [l.ifname] : []));

describe("destroy of a recorded node with a veth to the host made after apply", () => {
  it.each([
    ["made in the host", (name: string) => ip("link", "add", `${name}h`, "type", "veth", "peer", "name", `${name}p`, "netns", `${name}-a`)],
    [
      "made in the node, its far end moved to the host",
      (name: string) => {
        ip("-n", `${name}-a`, "link", "add", `${name}p`, "type", "veth", "peer", "name", `${name}h`);
        ip("-n", `${name}-a`, "link", "set", `${name}h`, "netns", String(process.pid));
      },
    ],
  ])("%s: its host end is gone when destroy returns", async (_, addVeth) => {
    const name = `${prefix}${Math.random().toString(36).slice(2, 5)}`;
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: ["a:e0", "b:e0"]\n`);
    await topology.apply(lab);
    addVeth(name);
    expect(hostLinks(name)).toEqual([`${name}h`]);
    const { removed } = await topology.destroy(name);
    expect(removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(hostLinks(name)).toEqual([]);
    expect(netnsList(name)).toEqual([]);
    // The name is free at once: an apply that makes it again meets no EEXIST.
    ip("link", "add", `${name}h`, "type", "veth", "peer", "name", `${name}q`);
    ip("link", "del", `${name}h`);
  });
});
