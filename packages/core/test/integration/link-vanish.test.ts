/**
 * A link deleted by someone else between its creation and its lookup (the
 * pipelined creations' second datagram, create-links.ts): only its action
 * fails, saying so, and the links the same datagram made are reported as
 * made (ActionError.doneAfter; apply's `done`), as iproute2 finds them. The
 * deletion comes from netlink-faults.mjs (faults.ts), which runs `ip link del`
 * just before the lookup naming that link goes out.
 */
import { rmSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { underFaults } from "./faults.js";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("lv");
const parent = `${prefix}p`;
const once = (name: string) => `/tmp/${prefix}-${name}.once`;

beforeAll(() => {
  ip("link", "add", parent, "type", "bridge");
});

afterAll(async () => {
  cleanup(prefix);
  for (const name of ["n", "veth", "macvlan"]) rmSync(once(name), { force: true });
  await closeDefaultPool();
});

interface IpLink {
  ifname: string;
  linkinfo?: { info_kind?: string };
}

/** The links of `netns` of `kind`, by name, as iproute2 sees them. */
const kindIn = (netns: string, kind: string) =>
  ipJson<IpLink[]>("-n", netns, "link", "show")
    .filter((l) => l.linkinfo?.info_kind === kind)
    .map((l) => l.ifname)
    .sort();

/**
 * `text` applied with link `name` of `netns` deleted just before its lookup: the failures its TopologyApplyError
 * lists (their changes, their code) and the links of `kind` it says were made.
 */
function applyVanishing(text: string, netns: string, name: string, kind: string) {
  const { error } = underFaults("apply", { text }, { vanish: { netns, name, once: once(kind) } });
  expect(error?.code).toBe("ERR_TOPOLOGY_APPLY");
  const { failures, done } = error as unknown as {
    failures: { changes: string[]; error: { code: string } }[];
    done: { op: string; object: string; kind?: string; name: string }[];
  };
  return {
    failed: failures.map((f) => ({ changes: f.changes, code: f.error.code })),
    made: done.flatMap((c) => (c.op === "create" && c.object === "link" && c.kind === kind ? [c.name] : [])).sort(),
  };
}

describe("a link that vanishes between its creation and its lookup", () => {
  it("nsDo: fails that action alone; the links its datagram made are done (doneAfter), those of later datagrams not made", () => {
    const netns = `${prefix}n`;
    ip("netns", "add", netns);
    // 70 creations: two datagrams (64, 6). b1 vanishes in the first; the second is never sent.
    const names = Array.from({ length: 70 }, (_, i) => `b${i}`);
    const { error } = underFaults("bridges", { netns, names }, { vanish: { netns, name: "b1", once: once("n") } });
    expect(error).toMatchObject({ name: "ActionError", code: "ERR_LINK_NOT_FOUND", actionIndex: 1, returned: true });
    expect(error?.message).toMatch(/^link "b1" was made, then gone before it could be read back/);
    expect(error?.doneAfter).toEqual(names.slice(2, 64).map((_, i) => i + 2));
    expect(kindIn(netns, "bridge")).toEqual(["b0", ...names.slice(2, 64)].sort());
  });

  it("apply: only that veth fails; the node's other veths are made and reported so", async () => {
    const lab = `${prefix}v`;
    const text = `name: ${lab}
nodes: { a: {}, b: {} }
links:
  - endpoints: ["a:x0", "b:y0"]
  - endpoints: ["a:x1", "b:y1"]
  - endpoints: ["a:x2", "b:y2"]
`;
    const { failed, made } = applyVanishing(text, `${lab}-a`, "x1", "veth");
    expect(failed).toEqual([{ changes: ["+ link veth a:x1 <-> b:y1"], code: "ERR_LINK_NOT_FOUND" }]);
    expect(made).toEqual(["x0", "x2"]);
    expect(kindIn(`${lab}-a`, "veth")).toEqual(["x0", "x2"]);
    expect(kindIn(`${lab}-b`, "veth")).toEqual(["y0", "y2"]);
    // What it said it made is what the next apply finds made: of the veths, it makes the one missing (and brings up
    // the far ends of those made, as the configuration phase the failure stopped before would have).
    const again = await topology.apply(topology.load(text));
    expect(
      again.changes.filter((c) => c.object === "link" && c.op === "create" && c.kind === "veth").map((c) => topology.describeChange(c)),
    ).toEqual(["+ link veth a:x1 <-> b:y1"]);
    expect(kindIn(`${lab}-a`, "veth")).toEqual(["x0", "x1", "x2"]);
  });

  it("apply: only that macvlan fails (made from the host, looked up in its node); the node's others are made and reported so", () => {
    const lab = `${prefix}m`;
    const text = `name: ${lab}
nodes:
  a:
    interfaces:
      mv0: { kind: macvlan, parent: ${parent} }
      mv1: { kind: macvlan, parent: ${parent} }
      mv2: { kind: macvlan, parent: ${parent} }
`;
    const { failed, made } = applyVanishing(text, `${lab}-a`, "mv1", "macvlan");
    expect(failed).toEqual([{ changes: [expect.stringMatching(/^\+ link macvlan a:mv1\b/)], code: "ERR_LINK_NOT_FOUND" }]);
    expect(made).toEqual(["mv0", "mv2"]);
    expect(kindIn(`${lab}-a`, "macvlan")).toEqual(["mv0", "mv2"]);
  });
});
