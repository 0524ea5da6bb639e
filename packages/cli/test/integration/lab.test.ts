import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { json, neslink, probed } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-lab-`);
const labs: string[] = [];
afterAll(() => {
  for (const lab of labs) cleanup(`${lab}-`);
  rmSync(dir, { recursive: true, force: true });
});

/** One of examples/topologies under a lab name of its own (its namespaces are `<name>-<node>`), written to a temp file. */
function example(file: string): { lab: string; path: string } {
  const lab = uniquePrefix("l");
  labs.push(lab);
  return { lab, path: exampleAs(file, lab, `${dir}/${lab}.yaml`) };
}

const addressesIn = (netns: string) =>
  ipJson<{ ifname: string; addr_info: { local: string; prefixlen: number; scope: string }[] }[]>("-n", netns, "addr", "show").flatMap((l) =>
    l.addr_info.filter((a) => a.scope === "global").map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`),
  );

describe("labs through the built bin (examples/topologies)", () => {
  it("router: plan, apply with plain progress lines, inspect, exec into LAB:NODE, graph, drift, destroy by name", () => {
    const { lab, path } = example("router.yaml");
    const dry = neslink("apply", path, "--dry-run");
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`Plan for ${lab}: 11 to add, 1 to change, 0 to destroy.`);
    expect(netnsList(`${lab}-`)).toEqual([]);

    // Not a terminal: no question asked, one line per change.
    const applied = neslink("apply", path);
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(/^namespaces: \d+ changes$/m);
    expect(applied.stdout).toMatch(/^ {2}\[12\/12\] /m);
    expect(applied.stdout).toMatch(new RegExp(`^Applied ${lab}: 11 added, 1 changed, 0 destroyed in \\d+ ms\\.$`, "m"));
    expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-h1`, `${lab}-h2`, `${lab}-r1`]);
    expect(addressesIn(`${lab}-r1`).sort()).toEqual(["eth1 10.0.1.254/24", "eth2 10.0.2.254/24"]);

    const inspected = json("inspect", lab);
    expect(inspected.status).toBe(0);
    const [live] = inspected.body;
    expect(live.nodes.map((n: { name: string; phase: string }) => [n.name, n.phase])).toEqual([
      ["h1", "running"],
      ["h2", "running"],
      ["r1", "running"],
    ]);
    for (const node of live.nodes as { netns: string; links: { name: string; addresses: string[] }[] }[]) {
      const fromNeslink = node.links
        .filter((i) => i.name !== "lo")
        .flatMap((i) => i.addresses.filter((a) => !a.startsWith("fe80")).map((a) => `${i.name} ${a}`));
      expect(fromNeslink.sort()).toEqual(addressesIn(node.netns).sort());
    }
    expect(neslink("inspect", lab).stdout).toMatch(
      new RegExp(`^${lab}\\s+r1\\s+${lab}-r1\\s+running\\s+eth1\\s+veth\\s+UP\\s+10\\.0\\.1\\.254/24`, "m"),
    );

    const ping = neslink("exec", `${lab}:h1`, "--", "ping", "-c1", "-W2", "10.0.2.1");
    expect(ping.status).toBe(0);
    expect(ping.stdout).toContain("1 received");

    const graph = json("graph", lab, "--format", "json").body;
    const pairs = graph.edges.map((e: { a: { node: string; dev: string }; b: { node: string; dev: string } }) =>
      [`${e.a.node}:${e.a.dev}`, `${e.b.node}:${e.b.dev}`].sort().join(" "),
    );
    expect(pairs.sort()).toEqual(["h1:eth0 r1:eth1", "h2:eth0 r1:eth2"]);
    expect(neslink("graph", lab).stdout).toMatch(/^graph LR\n/);
    expect(neslink("graph", path, "--format", "dot").stdout).toContain('"h1" -- "r1" [taillabel="eth0", headlabel="eth1"]');

    expect(neslink("plan", path, "--detailed-exitcode").status).toBe(0);
    ip("-n", `${lab}-h2`, "addr", "del", "10.0.2.1/24", "dev", "eth0");
    const drift = neslink("plan", path, "--detailed-exitcode");
    expect(drift.status).toBe(4);
    expect(drift.stdout).toContain("+ address 10.0.2.1/24 on h2:eth0");
    expect(neslink("apply", path, "--yes").status).toBe(0);
    expect(addressesIn(`${lab}-h2`)).toEqual(["eth0 10.0.2.1/24"]);

    const destroyed = json("destroy", lab);
    expect(destroyed.status).toBe(0);
    expect(destroyed.body.removed.map((r: { node: string }) => r.node).sort()).toEqual(["h1", "h2", "r1"]);
    // A lab destroyed whole left nothing over.
    expect(destroyed.body.leftovers).toEqual({ namespaces: [], entries: [], links: [], record: false, programs: [] });
    expect(netnsList(`${lab}-`)).toEqual([]);
    // Gone: by its name, nothing runs to inspect.
    expect(json("inspect", lab)).toMatchObject({ status: 1, body: { error: { code: "ERR_NS_NOT_FOUND" } } });
  });

  it("leaf-spine: applied, graphed as the file says, pings across the fabric, destroyed by file", () => {
    const { lab, path } = example("leaf-spine.yaml");
    expect(neslink("apply", path, "--yes").status).toBe(0);
    const nodes = json("inspect", path).body[0];
    expect(nodes.drift).toEqual([]);
    expect(nodes.nodes).toHaveLength(14);

    const fromFile = json("graph", path).body;
    expect(fromFile.nodes.every((n: { phase: string }) => n.phase === "running")).toBe(true);
    const fileLinks = readFileSync(path, "utf8").match(/endpoints:/g)?.length;
    expect(fromFile.edges).toHaveLength(fileLinks as number);

    const h = json("inspect", lab).body[0].nodes.filter((n: { name: string }) => n.name.startsWith("h"));
    const [first, last] = [h[0], h[h.length - 1]] as { name: string; links: { addresses: string[] }[] }[];
    const target = last?.links
      .flatMap((i) => i.addresses)
      .find((a) => !a.startsWith("fe80"))
      ?.split("/")[0] as string;
    expect(neslink("exec", `${lab}:${first?.name}`, "--", "ping", "-c1", "-W2", target).status).toBe(0);

    expect(neslink("destroy", path, "--yes").status).toBe(0);
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("router with a tap and a tun added by hand in its nodes: destroy removes the lab and says so", () => {
    const { lab, path } = example("router.yaml");
    expect(neslink("apply", path).status).toBe(0);
    ip("-n", `${lab}-r1`, "tuntap", "add", "mode", "tap", "name", "t0");
    ip("-n", `${lab}-r1`, "link", "set", "t0", "up");
    ip("-n", `${lab}-h1`, "tuntap", "add", "mode", "tun", "name", "t1");
    const destroyed = neslink("destroy", path, "--yes");
    expect(destroyed).toMatchObject({ status: 0, stderr: "" });
    expect(destroyed.stdout).toMatch(new RegExp(`^Destroyed ${lab}: 3 nodes removed in \\d+ ms\\.$`, "m"));
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("an unknown lab's node is not found; a foreign namespace named like a node is never taken for it", () => {
    const lab = uniquePrefix("l");
    labs.push(lab);
    execFileSync("ip", ["netns", "add", `${lab}-h1`]);
    const r = json("exec", `${lab}:h1`, "--", "true");
    expect(r.status).toBe(1);
    expect(r.body.error.code).toBe("ERR_NS_NOT_FOUND");
    // Nor is the lab itself: inspect and graph by a name no running lab has say so, rather than show nothing.
    for (const args of [
      ["inspect", lab],
      ["graph", lab],
    ]) {
      const shown = json(...args);
      expect(shown.status, args.join(" ")).toBe(1);
      expect(shown.body.error).toMatchObject({ code: "ERR_NS_NOT_FOUND", message: expect.stringContaining(`no lab named "${lab}"`) });
    }
  });

  it("LAB:NODE finds a node under the namespace name its file gave, by its marker", () => {
    const lab = uniquePrefix("l");
    labs.push(lab);
    const path = `${dir}/${lab}.yaml`;
    writeFileSync(path, `name: ${lab}\nnodes:\n  h1: {}\n  h2: { netns: ${lab}-elsewhere }\n`);
    expect(neslink("apply", path, "--yes").status).toBe(0);
    const inode = (netns: string) => statSync(`/run/netns/${netns}`).ino;
    for (const [node, netns] of [
      ["h1", `${lab}-h1`],
      ["h2", `${lab}-elsewhere`],
    ]) {
      // The program runs in that very namespace: its own /proc/self/ns/net is the file's.
      const r = neslink("exec", `${lab}:${node}`, "--", "stat", "-L", "-c", "%i", "/proc/self/ns/net");
      expect(r.status).toBe(0);
      expect(Number(r.stdout.trim())).toBe(inode(netns as string));
    }
    // Under its default name a node is found by one read from the CLI's own thread: no worker starts.
    const listed = probed("link", "list", "-n", `${lab}:h1`);
    expect(listed).toMatchObject({ status: 0, stderr: "" });
    expect(listed.body.map((l: { name: string }) => l.name)).toEqual(["lo"]);
    // exec --json collects the program's output from the CLI's own thread too.
    expect(probed("exec", `${lab}:h1`, "--", "true")).toMatchObject({ status: 0, stderr: "", body: { status: 0, stdout: "" } });
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
  });
});
