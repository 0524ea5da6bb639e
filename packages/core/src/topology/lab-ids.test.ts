import type { Link } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { fileReference, idsToAsk } from "./lab-ids.js";
import { ownedNode } from "./live.fixture.js";
import type { LiveNamespace } from "./live.js";
import { load } from "./load.js";

/** A link of `kind` whose peer, parent or socket is in the namespace its own knows as `nsid` (null: its own). */
const link = (index: number, name: string, kind: string | null, nsid: number | null = null): Link =>
  ({ index, name, kind, linkNetnsid: nsid, parentIndex: null, alias: null, group: 0 }) as Link;
const lo = link(1, "lo", null);

describe("which namespaces a plan asks where their nsids lead", () => {
  const star = load({
    name: "li",
    nodes: { h1: {}, h2: {}, h3: {}, hub: {} },
    links: ["h1", "h2", "h3"].map((h) => ({ endpoints: [`${h}:e0`, `hub:${h}`] })),
  });
  const wired = (): Map<string, LiveNamespace> =>
    new Map([
      ownedNode("li", "h1", lo, [link(2, "e0", "veth", 0)]),
      ownedNode("li", "h2", lo, [link(2, "e0", "veth", 0)]),
      ownedNode("li", "h3", lo, [link(2, "e0", "veth", 0)]),
      ownedNode("li", "hub", lo, [link(2, "h1", "veth", 0), link(3, "h2", "veth", 1), link(4, "h3", "veth", 2)]),
    ]);

  it("asks nothing where no link names another namespace (a lab just made, or of bridges alone)", () => {
    expect(idsToAsk(star, new Map())).toBe(undefined);
    const alone = new Map([ownedNode("li", "hub", lo, [link(2, "br0", "bridge")])]);
    expect(idsToAsk(star, alone)).toBe(undefined);
  });

  it("judges every pair of a star from its hub, translating no other namespace (inspect, naming every end's peer, all)", () => {
    expect(idsToAsk(star, wired())).toEqual({ netns: ["li-hub", "li-h1", "li-h2", "li-h3"], translate: new Set() });
    expect(idsToAsk(star, wired(), true)?.translate).toEqual(new Set(["li-h1", "li-h2", "li-h3"]));
  });

  it("translates one end of each pair the reference is not on, and every node with a vxlan or macvlan", () => {
    const chain = load({
      name: "li",
      nodes: { a: {}, b: {}, c: {}, d: {} },
      links: [{ endpoints: ["a:x", "b:x"] }, { endpoints: ["b:y", "c:y"] }, { endpoints: ["c:z", "d:z"] }],
    });
    const lives = new Map([
      ownedNode("li", "a", lo, [link(2, "x", "veth", 0), link(3, "vx0", "vxlan", 1)]),
      ownedNode("li", "b", lo, [link(2, "x", "veth", 0), link(3, "y", "veth", 1)]),
      ownedNode("li", "c", lo, [link(2, "y", "veth", 0), link(3, "z", "veth", 1)]),
      ownedNode("li", "d", lo, [link(2, "z", "veth", 0)]),
    ]);
    // b (first of the most veths) is the reference: a for its vxlan, which also covers a:x; c for c-d.
    expect(idsToAsk(chain, lives)).toEqual({ netns: ["li-b", "li-a", "li-c", "li-d"], translate: new Set(["li-a", "li-c"]) });
    // A reference given (the file's pick, asked of before the reads were over), when it runs: c, then a for its vxlan,
    // which also covers a-b.
    expect(fileReference(chain)).toBe("b");
    expect(idsToAsk(chain, lives, false, "c")).toEqual({ netns: ["li-c", "li-a", "li-b", "li-d"], translate: new Set(["li-a"]) });
    // One not running is no reference.
    lives.delete("c");
    expect(idsToAsk(chain, lives, false, "c")?.netns[0]).toBe("li-b");
  });

  it("picks from the file the node with the most veths to others (a star's hub), else the first with a vxlan or macvlan", () => {
    expect(fileReference(star)).toBe("hub");
    const inside = load({ name: "li", nodes: { a: {}, b: {} }, links: [{ endpoints: ["b:x", "b:y"] }] });
    expect(fileReference(inside)).toBe(undefined);
    const tunnels = load({ name: "li", nodes: { a: {}, b: { interfaces: { vx0: { kind: "vxlan", id: 5, remote: "192.0.2.1" } } } } });
    expect(fileReference(tunnels)).toBe("b");
  });
});
