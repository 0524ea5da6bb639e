/**
 * inspect's links: a field named as in `link list --json` means and reads
 * what it does there (the kernel's indexes: masterIndex, parentIndex; ip's
 * operstate), and the lab's view adds names (master; peer, a node and its
 * link as `dev`); graph's edges are those peers; its routes are route list's,
 * and plan names a route as route add and del do. Each checked against `ip -j`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json } from "./run.js";
import { schemaErrors } from "./shape-schemas.js";

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

/** A JSON object as --json prints one. */
type Row = Record<string, unknown>;

/** Routes in the order of their destinations. */
const byTo = (routes: Row[]) => [...routes].sort((a, b) => (String(a.to) < String(b.to) ? -1 : 1));

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

/** h1's routes: through h2, and a host route out of eth0 (which `ip -j route` writes without its /32). */
const ROUTES = "{ to: 10.41.0.0/16, via: 10.40.0.2 }, { to: 10.42.0.5/32, dev: eth0 }";

/** The lab, h1's eth0 with `h1` as its addresses and `routes` as its routes. */
const labFile = (h1: string, routes = ROUTES) => `name: ${lab}
nodes:
  sw: { bridges: [br0] }
  h1: { addresses: { eth0: [${h1}] }, routes: [${routes}] }
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

  it("show a lab named twice, by its name and by its file, once: the file's (with what differs from it)", () => {
    const byName = json("inspect", lab).body as { topology: string; drift?: unknown }[];
    const both = json("inspect", lab, file, lab).body as { topology: string; drift?: unknown[] }[];
    expect(both.map((l) => l.topology)).toEqual([lab]);
    expect(byName[0]?.drift).toBeUndefined();
    expect(both[0]?.drift).toEqual([]);
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

  it("give a node's routes as route list gives them: the lab's (origin boot), as ip -j route has them", () => {
    const [inspected] = json("inspect", lab).body as { nodes: { name: string; netns: string; routes: Row[] }[] }[];
    const h1 = inspected?.nodes.find((n) => n.name === "h1");
    const listed = (json("route", "list", "-n", `${lab}:h1`).body as Row[]).filter((r) => r.protocol === "boot");
    expect(h1?.routes).toEqual(listed);
    expect(byTo(h1?.routes ?? [])).toEqual([
      {
        to: "10.41.0.0/16",
        family: "inet",
        via: "10.40.0.2",
        dev: "eth0",
        metric: null,
        table: "main",
        protocol: "boot",
        scope: "global",
        type: "unicast",
      },
      {
        to: "10.42.0.5",
        family: "inet",
        via: null,
        dev: "eth0",
        metric: null,
        table: "main",
        protocol: "boot",
        scope: "link",
        type: "unicast",
      },
    ]);
    const fromIp = ipJson<{ dst: string; gateway?: string; dev: string }[]>(
      "-n",
      `${lab}-h1`,
      "route",
      "show",
      "table",
      "all",
      "proto",
      "boot",
    );
    expect(byTo(h1?.routes ?? []).map((r) => [r.to, r.via, r.dev])).toEqual(
      fromIp.map((r) => [r.dst, r.gateway ?? null, r.dev]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
    // The other nodes have none of the lab's.
    expect(inspected?.nodes.filter((n) => n.name !== "h1").flatMap((n) => n.routes)).toEqual([]);
    for (const route of h1?.routes ?? []) expect(schemaErrors("Route", route)).toEqual([]);
  });

  it("plan's route changes name a route as route add and route del --json do; apply makes and removes them so", () => {
    const netns = `${lab}-h1`;
    const moved = `${dir}/${lab}-routes.yaml`;
    // 10.41.0.0/16 goes; a route in table 100 with a metric comes.
    writeFileSync(
      moved,
      labFile("10.40.0.1/24", "{ to: 10.42.0.5/32, dev: eth0 }, { to: 10.43.0.0/16, via: 10.40.0.2, metric: 5, table: 100 }"),
    );
    const [gone] = (json("route", "list", "-n", netns).body as Row[]).filter((r) => r.to === "10.41.0.0/16");
    const { protocol: _p, scope: _s, type: _t, ...asDeleted } = gone as Row;
    const { changes } = json("plan", moved).body as { changes: Row[] };
    for (const change of changes) expect([change, schemaErrors("Change", change)]).toEqual([change, []]);
    const planned = changes.filter((c) => c.object === "route");
    const made = { to: "10.43.0.0/16", family: "inet", via: "10.40.0.2", dev: null, metric: 5, table: "100" };
    expect(planned).toEqual([
      { op: "delete", object: "route", node: "h1", netns, route: asDeleted },
      { op: "create", object: "route", node: "h1", netns, route: made },
    ]);
    // route add --json, given the same, says the same of it (it is made here in another table, and taken away again).
    const added = json("route", "add", "10.44.0.0/16", "via", "10.40.0.2", "metric", "5", "table", "100", "-n", netns);
    expect(added).toEqual({ status: 0, body: { ...made, to: "10.44.0.0/16" } });
    expect(schemaErrors("RouteGiven", added.body)).toEqual([]);
    expect(json("route", "del", "10.44.0.0/16", "table", "100", "-n", netns).status).toBe(0);
    expect(json("apply", moved, "--yes").status).toBe(0);
    expect(ipJson("-n", netns, "route", "show", "10.41.0.0/16")).toEqual([]);
    expect(ipJson("-n", netns, "route", "show", "table", "100")).toEqual([
      expect.objectContaining({ dst: "10.43.0.0/16", gateway: "10.40.0.2", dev: "eth0", metric: 5 }),
    ]);
    expect((json("plan", moved).body as { changes: Row[] }).changes).toEqual([]);
    // inspect's drift, given the file it no longer matches, is those changes.
    const [drifted] = json("inspect", file).body as { drift: Row[] }[];
    for (const change of drifted?.drift ?? []) expect(schemaErrors("Change", change)).toEqual([]);
    expect(drifted?.drift.filter((c) => c.object === "route").map((c) => c.op)).toEqual(["delete", "create"]);
    // Back as it was, for the tests after: the same route the other way round.
    const back = (json("plan", file).body as { changes: Row[] }).changes.filter((c) => c.object === "route");
    expect(back.map((c) => [c.op, (c.route as Row).to, (c.route as Row).table])).toEqual([
      ["delete", "10.43.0.0/16", "100"],
      ["create", "10.41.0.0/16", "main"],
    ]);
    expect(json("apply", file, "--yes").status).toBe(0);
    expect(ipJson("-n", netns, "route", "show", "10.41.0.0/16")).toEqual([expect.objectContaining({ gateway: "10.40.0.2" })]);
  });

  it("plan's address change names the address as addr list does: dev, and the CIDR as cidr", () => {
    const more = `${dir}/${lab}-more.yaml`;
    writeFileSync(more, labFile("10.40.0.1/24, 10.40.0.11/24"));
    const planned = json("plan", more).body as { changes: Record<string, unknown>[] };
    expect(planned.changes.filter((c) => c.object === "address")).toEqual([
      { op: "create", object: "address", node: "h1", netns: `${lab}-h1`, dev: "eth0", cidr: "10.40.0.11/24" },
    ]);
    expect(json("apply", more, "--yes").status).toBe(0);
    const listed = json("addr", "list", "dev", "eth0", "-4", "-n", `${lab}:h1`).body as Record<string, unknown>[];
    expect(listed.map((a) => ({ dev: a.dev, cidr: a.cidr }))).toContainEqual({ dev: "eth0", cidr: "10.40.0.11/24" });
    const [eth0] = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", `${lab}-h1`, "-4", "addr", "show", "dev", "eth0");
    expect(eth0?.addr_info).toContainEqual(expect.objectContaining({ local: "10.40.0.11", prefixlen: 24 }));
  });
});
