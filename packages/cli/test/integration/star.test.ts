/**
 * The 500-node star (examples/topologies/star-500.yaml) through the built
 * bin: applied, inspected, graphed and destroyed, checked with `ip -j` (the
 * namespaces counted, a sample of addresses and bridge ports read).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { json, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-star-`);
const lab = uniquePrefix("s");
const file = exampleAs("star-500.yaml", lab, `${dir}/star.yaml`);

afterAll(() => {
  cleanup(`${lab}-`);
  rmSync(dir, { recursive: true, force: true });
});

const HOSTS = 500;
/** What the file gives host i: 10.0.(i/250).(i%250+1)/16. */
const addressOf = (i: number) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}/16`;
const SAMPLE = [0, 1, 249, 250, 377, 499];

const globalAddresses = (netns: string, dev: string) =>
  ipJson<{ addr_info: { local: string; prefixlen: number; scope: string }[] }[]>("-n", netns, "addr", "show", "dev", dev).flatMap((l) =>
    l.addr_info.filter((a) => a.scope === "global").map((a) => `${a.local}/${a.prefixlen}`),
  );

describe("star-500 through the CLI", () => {
  it("applies, inspects, graphs and destroys 501 nodes", () => {
    const applied = neslink("apply", file, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`^Applied ${lab}: \\d+ added, \\d+ changed, 0 destroyed in \\d+ ms\\.$`, "m"));

    const namespaces = netnsList(`${lab}-`);
    expect(namespaces).toHaveLength(HOSTS + 1);
    expect(namespaces).toContain(`${lab}-hub`);
    for (const i of SAMPLE) expect(globalAddresses(`${lab}-n${i}`, "eth0")).toEqual([addressOf(i)]);
    expect(globalAddresses(`${lab}-hub`, "br0")).toEqual(["10.0.255.254/16"]);
    const ports = ipJson<{ ifname: string }[]>("-n", `${lab}-hub`, "link", "show", "master", "br0");
    expect(ports).toHaveLength(HOSTS);

    // Applying again changes nothing.
    expect(neslink("plan", file, "--detailed-exitcode").status).toBe(0);

    const inspected = json("inspect", lab);
    expect(inspected.status).toBe(0);
    const [live] = inspected.body as {
      nodes: { name: string; netns: string; phase: string; links: { name: string; addresses: string[] }[] }[];
    }[];
    expect(live?.nodes).toHaveLength(HOSTS + 1);
    expect(live?.nodes.every((n) => n.phase === "running")).toBe(true);
    for (const i of SAMPLE) {
      const node = live?.nodes.find((n) => n.name === `n${i}`);
      expect(node?.netns).toBe(`${lab}-n${i}`);
      expect(node?.links.find((f) => f.name === "eth0")?.addresses).toEqual(globalAddresses(`${lab}-n${i}`, "eth0"));
    }

    const graph = json("graph", lab, "--format", "json").body as {
      nodes: unknown[];
      edges: { a: { node: string }; b: { node: string } }[];
    };
    expect(graph.nodes).toHaveLength(HOSTS + 1);
    expect(graph.edges).toHaveLength(HOSTS);
    expect(graph.edges.every((e) => [e.a.node, e.b.node].includes("hub"))).toBe(true);
    const mermaid = neslink("graph", lab);
    expect(mermaid.status).toBe(0);
    // One solid edge a host (every link is up), each to or from the hub.
    expect(mermaid.stdout.match(/^ {2}n_\S+ ---\|"[^"]+"\| n_\S+$/gm)?.filter((l) => l.includes("n_hub"))).toHaveLength(HOSTS);

    const destroyed = json("destroy", lab, "--yes");
    expect(destroyed.status).toBe(0);
    expect(destroyed.body.removed).toHaveLength(HOSTS + 1);
    expect(netnsList(`${lab}-`)).toEqual([]);
  });
});
