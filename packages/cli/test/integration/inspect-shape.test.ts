/**
 * inspect's links: a field named as in `link list --json` means and reads
 * what it does there (the kernel's indexes: masterIndex, parentIndex; ip's
 * operstate), and the lab's view adds names (master; peer, a node and its
 * link as `dev`); graph's edges are those peers. Each checked against `ip -j`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json } from "./run.js";

const lab = uniquePrefix("is");
const dir = mkdtempSync(`${tmpdir()}/neslink-inspect-shape-`);
const file = `${dir}/${lab}.yaml`;

/** Each veth end the file joins, with the end it is joined to: sw's x0 and x1 are a pair inside one node. */
const PEERS: Record<string, string> = {
  "sw:p1": "h1:eth0",
  "h1:eth0": "sw:p1",
  "sw:p2": "h2:eth0",
  "h2:eth0": "sw:p2",
  "sw:x0": "sw:x1",
  "sw:x1": "sw:x0",
};

/** The fields inspect shares with link list, by name. */
const SHARED = ["index", "name", "kind", "up", "operstate", "mtu", "mac", "masterIndex", "parentIndex"] as const;

interface Iface {
  name: string;
  index: number;
  master: string | null;
  masterIndex: number | null;
  parentIndex: number | null;
  peer: { node: string; dev: string } | null;
  [field: string]: unknown;
}

interface IpLink {
  ifindex: number;
  ifname: string;
  master?: string;
  link?: string;
  link_index?: number;
}

/** The lab, h1's eth0 with `h1` as its addresses. */
const labFile = (h1: string) => `name: ${lab}
nodes:
  sw: { bridges: [br0] }
  h1: { addresses: { eth0: [${h1}] } }
  h2: { addresses: { eth0: [10.40.0.2/24] } }
links:
  - endpoints: [{ node: sw, interface: p1, master: br0 }, "h1:eth0"]
  - endpoints: [{ node: sw, interface: p2, master: br0 }, "h2:eth0"]
  - endpoints: ["sw:x0", "sw:x1"]
`;

beforeAll(async () => {
  writeFileSync(file, labFile("10.40.0.1/24"));
  expect(json("apply", file, "--yes").status).toBe(0);
  // A bridge reports "unknown" until the kernel has its ports forwarding: inspect and link list, read one after the
  // other, would see two states. Compared once it has settled.
  await vi.waitFor(() => expect(ipJson<{ operstate: string }[]>("-n", `${lab}-sw`, "link", "show", "br0")[0]?.operstate).toBe("UP"), {
    timeout: 10_000,
  });
});

afterAll(() => {
  try {
    json("destroy", lab, "--yes");
  } finally {
    cleanup(`${lab}-`);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("inspect --json's links", () => {
  it("give link list's fields their meaning there, and name master and peer as the file and ip -j do", () => {
    const [inspected] = json("inspect", lab).body as { nodes: { name: string; netns: string; phase: string; links: Iface[] }[] }[];
    expect(inspected?.nodes.map((n) => n.phase)).toEqual(["running", "running", "running"]);
    expect(inspected?.nodes.map((n) => n.name)).toEqual(["h1", "h2", "sw"]);
    const ipOf = new Map(inspected?.nodes.map((n) => [n.name, ipJson<IpLink[]>("-n", n.netns, "link", "show")]));
    for (const node of inspected?.nodes ?? []) {
      const listed = json("link", "list", "-n", node.netns).body as Record<string, unknown>[];
      const ipLinks = ipOf.get(node.name) ?? [];
      for (const iface of node.links) {
        const where = `${node.name}:${iface.name}`;
        const link = listed.find((l) => l.index === iface.index);
        const pick = (o: Record<string, unknown> | undefined) => Object.fromEntries(SHARED.map((f) => [f, o?.[f]]));
        expect({ where, ...pick(iface) }).toEqual({ where, ...pick(link) });
        const ipLink = ipLinks.find((l) => l.ifindex === iface.index);
        expect({ where, master: iface.master, masterIndex: iface.masterIndex }).toEqual({
          where,
          master: ipLink?.master ?? null,
          masterIndex: ipLink?.master === undefined ? null : ipLinks.find((l) => l.ifname === ipLink.master)?.ifindex,
        });
        const peer = PEERS[where];
        expect({ where, peer: iface.peer }).toEqual({
          where,
          peer: peer === undefined ? null : { node: peer.split(":")[0], dev: peer.split(":")[1] },
        });
        if (iface.peer === null) continue;
        // ip names a peer in the same namespace by its name, one in another by its index there.
        const far = ipOf.get(iface.peer.node)?.find((l) => l.ifname === iface.peer?.dev);
        expect({ where, parentIndex: iface.parentIndex }).toEqual({ where, parentIndex: far?.ifindex });
        expect(ipLink?.link_index ?? ipLinks.find((l) => l.ifname === ipLink?.link)?.ifindex).toBe(far?.ifindex);
      }
    }
    expect(inspected?.nodes.find((n) => n.name === "sw")?.links.find((i) => i.name === "p1")?.master).toBe("br0");
    // operstate as ip -j writes it, as link list does.
    const sw = inspected?.nodes.find((n) => n.name === "sw");
    expect(sw?.links.map((l) => [l.name, l.operstate])).toEqual(
      ipJson<{ ifname: string; operstate: string }[]>("-n", sw?.netns as string, "link", "show").map((l) => [l.ifname, l.operstate]),
    );
  });

  it("are what graph joins: an edge for each veth pair, the one inside a node too, as the file draws them", () => {
    type End = { node: string; dev: string };
    const graph = json("graph", lab, "--format", "json").body as { edges: { a: End; b: End }[] };
    const named = (e: End) => `${e.node}:${e.dev}`;
    // Each pair once, joined both ways as the file joins them.
    const joined = graph.edges.flatMap((e) => [
      [named(e.a), named(e.b)],
      [named(e.b), named(e.a)],
    ]);
    expect(Object.fromEntries(joined)).toEqual(PEERS);
    const drawn = graph.edges;
    expect(drawn).toHaveLength(3);
  });

  it("plan's address change names the address as addr list does: dev, and the CIDR as cidr", () => {
    const more = `${dir}/${lab}-more.yaml`;
    writeFileSync(more, labFile("10.40.0.1/24, 10.40.0.11/24"));
    const planned = json("plan", more).body as { changes: Record<string, unknown>[] };
    expect(planned.changes.filter((c) => c.kind === "address")).toEqual([
      { op: "create", kind: "address", node: "h1", netns: `${lab}-h1`, dev: "eth0", cidr: "10.40.0.11/24" },
    ]);
    expect(json("apply", more, "--yes").status).toBe(0);
    const listed = json("addr", "list", "dev", "eth0", "-4", "-n", `${lab}:h1`).body as Record<string, unknown>[];
    expect(listed.map((a) => ({ dev: a.dev, cidr: a.cidr }))).toContainEqual({ dev: "eth0", cidr: "10.40.0.11/24" });
    const [eth0] = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", `${lab}-h1`, "-4", "addr", "show", "dev", "eth0");
    expect(eth0?.addr_info).toContainEqual(expect.objectContaining({ local: "10.40.0.11", prefixlen: 24 }));
  });
});
