import type { Address, Link, Route } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { createsLink, describeChange } from "./changes.js";
import { liveRead, ownedNode } from "./live.fixture.js";
import { load } from "./load.js";
import { HOST, type LiveNamespace } from "./live.js";
import { diff } from "./plan.js";
import type { PeerNamespaces } from "./peer-namespaces.js";

/** Two veth pairs between a and b, and one between b and c; addresses none, so only links can differ. */
const lab = load({
  name: "lp",
  nodes: { a: { ipv6: true }, b: { ipv6: true }, c: { ipv6: true } },
  links: [{ endpoints: ["a:x1", "b:y1"] }, { endpoints: ["a:x2", "b:y2"] }, { endpoints: ["b:z", "c:w"] }],
});

/** A link as the kernel dumps it: a veth's peer index (IFLA_LINK) and its namespace's nsid as seen from here (IFLA_LINK_NETNSID). */
function link(index: number, name: string, peer?: { index: number; nsid: number | null }): Link {
  return {
    index,
    name,
    flags: 1,
    up: true,
    mtu: peer ? 1500 : 65536,
    mac: null,
    operstate: "up",
    kind: peer ? "veth" : null,
    masterIndex: null,
    alias: peer ? null : `neslink:lp:${name}`,
    group: 0,
    linkNetnsid: peer?.nsid ?? null,
    parentIndex: peer?.index ?? null,
  } as Link;
}

const node = (name: string, links: Link[]) => ownedNode("lp", name, link(1, "lo"), links);

/** A node's namespace not made yet, as plan reads one. */
const missingNs = (netns: string): LiveNamespace => ({
  netns,
  state: "missing",
  links: [],
  addresses: [],
  routes: [],
  sysctls: {},
  processes: [],
});

/** The lab as apply leaves it: in a, b is nsid 0; in b, a is 0 and c is 1; in c, b is 0. */
const wired = () =>
  new Map([
    node("a", [link(2, "x1", { index: 2, nsid: 0 }), link(3, "x2", { index: 3, nsid: 0 })]),
    node("b", [link(2, "y1", { index: 2, nsid: 0 }), link(3, "y2", { index: 3, nsid: 0 }), link(4, "z", { index: 2, nsid: 1 })]),
    node("c", [link(2, "w", { index: 4, nsid: 0 })]),
  ]);

const linkDeletes = (lives: Map<string, LiveNamespace>) =>
  diff(lab, liveRead(lives))
    .filter((c) => c.object === "link" && c.op === "delete")
    .map(describeChange);

describe("a veth pair's ends are checked to be each other's peer", () => {
  it("keeps pairs whose ends point at each other", () => {
    expect(diff(lab, liveRead(wired()))).toEqual([]);
  });

  it("makes again both pairs whose ends were swapped by name within a namespace (peer indexes no longer match)", () => {
    const lives = wired();
    const b = lives.get("b") as LiveNamespace;
    b.links = b.links.map((l) => (l.name === "y1" ? { ...l, name: "y2" } : l.name === "y2" ? { ...l, name: "y1" } : l));
    expect(linkDeletes(lives).sort()).toEqual([
      "- link veth a:x1 (its peer is not b:y1)",
      "- link veth a:x2 (its peer is not b:y2)",
      "- link veth b:y1 (its peer is not a:x1)",
      "- link veth b:y2 (its peer is not a:x2)",
    ]);
  });

  it("makes again pairs whose peer indexes match by chance but whose peer namespaces differ (nsids disagree)", () => {
    // b's y2 was moved in from c (same index there): the peer index fits, but it is seen through c's nsid.
    const lives = wired();
    const b = lives.get("b") as LiveNamespace;
    b.links = b.links.map((l) => (l.name === "y2" ? { ...l, linkNetnsid: 1 } : l));
    expect(linkDeletes(lives)).toEqual(
      expect.arrayContaining(["- link veth b:y2 (its peer is not a:x2)", "- link veth a:x2 (its peer is not b:y2)"]),
    );
    // Which of b's veths seen through nsid 1 is the wrong one is not known: every pair that nsid or a's touches is made again.
    expect(linkDeletes(lives)).toHaveLength(6);
  });

  it("makes again a veth pair whose ends are in one namespace in the file but not in the kernel", () => {
    const lives = wired();
    const c = lives.get("c") as LiveNamespace;
    c.links = c.links.map((l) => (l.name === "w" ? { ...l, linkNetnsid: null } : l));
    expect(linkDeletes(lives).sort()).toEqual(["- link veth b:z (its peer is not c:w)", "- link veth c:w (its peer is not b:z)"]);
  });
});

describe("a veth pair's ends are checked to lead to each other's namespace, where the kernel's nsids were told apart", () => {
  /** labNamespaceIds for wired(): what each node's nsids name; any other nsid, a namespace outside the lab. */
  const told = new Map([
    ["lp-a", new Map([[0, "lp-b"]])],
    [
      "lp-b",
      new Map([
        [0, "lp-a"],
        [1, "lp-c"],
      ]),
    ],
    [
      "lp-c",
      new Map([
        [0, "lp-b"],
        [5, HOST],
      ]),
    ],
  ]);
  /** wired(), with b's z and c's w each seen through `nsids` (their peer indexes still each other's index). */
  const elsewhere = (nsids: { z: number; w: number }) => {
    const lives = wired();
    for (const [node, name] of [
      ["b", "z"],
      ["c", "w"],
    ] as const) {
      const live = lives.get(node) as LiveNamespace;
      live.links = live.links.map((l) => (l.name === name ? { ...l, linkNetnsid: nsids[name] } : l));
    }
    return lives;
  };
  const deletes = (lives: Map<string, LiveNamespace>, peers: PeerNamespaces) =>
    diff(lab, liveRead(lives, { peers }))
      .filter((c) => c.object === "link" && c.op === "delete")
      .map(describeChange);

  it("keeps pairs whose ends lead to each other's namespace", () => {
    expect(diff(lab, liveRead(wired(), { peers: told }))).toEqual([]);
  });

  it("makes again a pair whose ends lead out of the lab, their indexes made to fit (a third namespace's veths)", () => {
    expect(deletes(elsewhere({ z: 7, w: 8 }), told)).toEqual([
      "- link veth b:z (its peer is in a namespace outside the lab)",
      "- link veth c:w (its peer is in a namespace outside the lab)",
    ]);
    // Told nothing (the nsids could not be read), such a pair passes: each namespace shows one nsid for one peer.
    expect(deletes(elsewhere({ z: 7, w: 8 }), new Map())).toEqual([]);
  });

  it("says where an end leads: the host, or a node not the file's", () => {
    expect(deletes(elsewhere({ z: 0, w: 5 }), told)).toEqual(
      expect.arrayContaining(["- link veth b:z (its peer is not c:w)", "- link veth c:w (its peer is in the host namespace)"]),
    );
  });
});

describe("a new veth's far end", () => {
  const missing = (name: string): [string, LiveNamespace] => [name, missingNs(`lp-${name}`)];
  const fresh = (up?: boolean) =>
    diff(
      load({
        name: "lp",
        nodes: { a: { ipv6: true }, b: { ipv6: true }, c: { ipv6: true } },
        links: [{ endpoints: ["a:x1", "b:y1"], ...(up !== undefined && { up }) }, { endpoints: ["b:z", "c:w"] }],
      }),
      liveRead(new Map([missing("a"), missing("b"), missing("c")])),
    );

  it("is planned up with its veth, like the near end, and gets no update change of its own", () => {
    const changes = fresh();
    expect(changes.filter((c) => c.object === "link" && c.op !== "create")).toEqual([]);
    expect(changes.filter((c) => createsLink(c, "veth")).map((c) => [describeChange(c), c.up, c.peer.up])).toEqual([
      ["+ link veth b:y1 <-> a:x1", true, true],
      ["+ link veth b:z <-> c:w", true, true],
    ]);
  });

  it("stays down, with no change either, when the file says up: false", () => {
    const changes = fresh(false);
    expect(changes.filter((c) => c.object === "link" && c.op !== "create")).toEqual([]);
    expect(changes.find((c) => createsLink(c, "veth") && c.name === "y1")).toMatchObject({ up: false, peer: { name: "x1", up: false } });
  });

  it("still gets the settings its creation does not make (a master) as an update", () => {
    const changes = diff(
      load({
        name: "lp",
        nodes: { a: { ipv6: true, bridges: ["br0", "br1"] }, b: { ipv6: true, bridges: ["br2"] } },
        links: [{ endpoints: ["a:x1", { node: "b", interface: "y1", master: "br2" }] }],
      }),
      liveRead(new Map([missing("a"), missing("b")])),
    );
    // a, with more links, creates the pair: y1 is the far end, and its master is a bridge of its own namespace.
    expect(changes.filter((c) => c.object === "link" && c.kind === "veth").map(describeChange)).toEqual([
      "+ link veth a:x1 <-> b:y1",
      '~ link veth b:y1 (master "br2")',
    ]);
  });
});

describe("a new vxlan or macvlan", () => {
  /** Node a with a vxlan and a macvlan on host link uplink (`up`: the file's for both), and a bridge `br0` for one's master. */
  const planned = (up?: boolean, master?: string) =>
    diff(
      load({
        name: "lp",
        nodes: {
          a: {
            bridges: ["br0"],
            interfaces: {
              vx0: {
                kind: "vxlan",
                id: 42,
                remote: "192.0.2.1",
                parent: "uplink",
                ...(up !== undefined && { up }),
                ...(master && { master }),
              },
              mv0: { kind: "macvlan", parent: "uplink", mode: "bridge", ...(up !== undefined && { up }) },
            },
          },
        },
      }),
      liveRead(new Map([["a", missingNs("lp-a")]])),
    );

  it("is planned up with its creation, as a bridge or a veth is, and gets no update change of its own", () => {
    const changes = planned();
    expect(changes.filter((c) => c.object === "link" && c.op !== "create")).toEqual([]);
    expect(changes.filter((c) => createsLink(c, "vxlan", "macvlan", "bridge")).map((c) => [describeChange(c), c.up])).toEqual([
      ["+ link bridge a:br0", true],
      ["+ link macvlan a:mv0 on host link uplink (bridge)", true],
      ["+ link vxlan a:vx0 on host link uplink (id 42 remote 192.0.2.1)", true],
    ]);
  });

  it("stays down, with no change either, when the file says up: false", () => {
    const changes = planned(false);
    expect(changes.filter((c) => c.object === "link" && c.op !== "create")).toEqual([]);
    expect(changes.filter((c) => createsLink(c, "vxlan", "macvlan")).map((c) => c.up)).toEqual([false, false]);
  });

  it("still gets its master as an update (it is made from the host, where the node's bridge is not)", () => {
    expect(
      planned(true, "br0")
        .filter((c) => c.object === "link" && c.op === "update")
        .map(describeChange),
    ).toEqual(['~ link vxlan a:vx0 (master "br0")']);
  });
});

describe("a plan's cost", () => {
  it("reads a hub's interfaces a bounded number of times per interface, not once per pair (a 60,000-node star took 15 s)", () => {
    const hosts = 3000;
    const star = load({
      name: "st",
      nodes: Object.fromEntries([["hub", {}], ...Array.from({ length: hosts }, (_, i) => [`n${i}`, {}])]),
      links: Array.from({ length: hosts }, (_, i) => ({ endpoints: [`n${i}:eth0`, `hub:v${i}`] })),
    });
    const hub = star.nodes.find((n) => n.name === "hub") as (typeof star.nodes)[number];
    let reads = 0;
    hub.interfaces = new Proxy(hub.interfaces, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const changes = diff(star, liveRead(new Map(star.nodes.map((n) => [n.name, missingNs(n.netns)]))));
    expect(changes.filter((c) => createsLink(c, "veth"))).toHaveLength(hosts);
    // Searched once per pair, the hub's interfaces were read ~4.5 million times (hosts² / 2).
    expect(reads).toBeLessThan(20 * hosts);
  });

  it("reads a node's live routes a bounded number of times per route, not once per route of the file", () => {
    const count = 2000;
    const to = (i: number) => `10.${1 + (i >> 8)}.${i & 255}.0`;
    const routed = load({
      name: "rt",
      nodes: {
        r: {
          addresses: { eth0: ["10.0.0.1/24"] },
          routes: Array.from({ length: count }, (_, i) => ({ to: `${to(i)}/24`, via: "10.0.0.254" })),
        },
        g: { addresses: { eth0: ["10.0.0.254/24"] } },
      },
      links: [{ endpoints: ["r:eth0", "g:eth0"] }],
    });
    let reads = 0;
    const counted = (r: Route) =>
      new Proxy(r, {
        get(target, key, receiver) {
          if (key === "family") reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    const address = (index: number, local: string) =>
      ({ family: 2, index, prefixLen: 24, scope: 0, local, address: local }) as unknown as Address;
    const [r, rLive] = ownedNode("rt", "r", link(1, "lo"), [link(2, "eth0", { index: 2, nsid: 0 })], [address(2, "10.0.0.1")]);
    const g = ownedNode("rt", "g", link(1, "lo"), [link(2, "eth0", { index: 2, nsid: 0 })], [address(2, "10.0.0.254")]);
    // In the opposite order to the file's: a search from the start meets every route not yet matched.
    rLive.routes = Array.from({ length: count }, (_, j) => count - 1 - j).map((i) =>
      counted({
        family: 2,
        dst: to(i),
        dstLen: 24,
        gateway: "10.0.0.254",
        table: 254,
        oifIndex: 2,
        metric: null,
        protocol: 3,
        type: 1,
      } as Route),
    );
    const changes = diff(routed, liveRead(new Map([[r, rLive], g])));
    expect(changes.filter((c) => c.object === "route")).toEqual([]);
    // Each route of the file compared with every live route not yet matched before its own: ~2 million reads (count² / 2).
    expect(reads).toBeLessThan(10 * count);
  });
});
