import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { closeDefaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

// The topology's name is the test's prefix, so its namespaces (<prefix>-<node>) fall under cleanup(prefix).
const prefix = uniquePrefix("tp");
const EXAMPLES = new URL("../../examples/topologies/", import.meta.url).pathname;

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** An example file with its name replaced by `name`. */
function example(file: string, name = prefix): string {
  return readFileSync(`${EXAMPLES}${file}`, "utf8").replace(/^name: .*$/m, `name: ${name}`);
}

function addrsIn(netns: string, dev: string): string[] {
  return ipJson<{ addr_info: { local: string; prefixlen: number; scope: string }[] }[]>("-n", netns, "addr", "show", "dev", dev)
    .flatMap((l) => l.addr_info)
    .filter((a) => a.scope === "global")
    .map((a) => `${a.local}/${a.prefixlen}`);
}

function pings(netns: string, to: string): boolean {
  return spawnSync("ip", ["netns", "exec", netns, "ping", "-c1", "-W2", to], { stdio: "ignore" }).status === 0;
}

function mountsUnder(dir: string, name: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.split(" ")[4]?.startsWith(`${dir}/${name}`));
}

describe("topology apply / plan / destroy (router example)", () => {
  let router: Topology;

  it("applies the router example and the kernel holds exactly it", async () => {
    router = topology.load(example("router.yaml"));
    const result = await topology.apply(router);
    expect(result.summary).toEqual({ add: 11, change: 3, destroy: 0 });
    expect(netnsList(prefix).sort()).toEqual([`${prefix}-h1`, `${prefix}-h2`, `${prefix}-r1`]);
    expect(addrsIn(`${prefix}-r1`, "eth1")).toEqual(["10.0.1.254/24"]);
    expect(addrsIn(`${prefix}-h2`, "eth0")).toEqual(["10.0.2.1/24"]);
    expect(ipJson("-n", `${prefix}-h1`, "route", "show", "default")).toMatchObject([
      { dst: "default", gateway: "10.0.1.254", dev: "eth0" },
    ]);
    expect(ip("netns", "exec", `${prefix}-r1`, "cat", "/proc/sys/net/ipv4/ip_forward").trim()).toBe("1");
    const [lo] = ipJson<{ ifalias?: string; flags: string[] }[]>("-n", `${prefix}-h1`, "link", "show", "lo");
    expect(lo).toMatchObject({ ifalias: `neslink:${prefix}:h1` });
    expect(lo?.flags).toContain("UP");
    expect(pings(`${prefix}-h1`, "10.0.2.1")).toBe(true);
  });

  it("plans nothing for an unchanged file, and a re-apply changes nothing", async () => {
    expect((await topology.plan(router)).changes).toEqual([]);
    const again = await topology.apply(router);
    expect(again.changes).toEqual([]);
  });

  it("changes only the address that changed", async () => {
    const changed = topology.load(example("router.yaml").replace("eth0: [10.0.2.1/24]", "eth0: [10.0.2.7/24]"));
    const { changes } = await topology.plan(changed);
    expect(changes.map(topology.describeChange)).toEqual(["+ address 10.0.2.7/24 on h2:eth0", "- address 10.0.2.1/24 on h2:eth0"]);
    const before = ipJson("-n", `${prefix}-h2`, "link", "show", "eth0");
    await topology.apply(changed);
    expect(addrsIn(`${prefix}-h2`, "eth0")).toEqual(["10.0.2.7/24"]);
    // The link itself was left alone: same index, same MAC.
    expect(ipJson("-n", `${prefix}-h2`, "link", "show", "eth0")).toEqual(before);
    expect(pings(`${prefix}-h1`, "10.0.2.7")).toBe(true);
    router = changed;
  });

  it("removing a node removes its namespace and the far end of its link, nothing else", async () => {
    const withoutH2 = topology.load(
      example("router.yaml")
        .replace(/ {2}h2:\n(?: {4}.*\n)+/, "")
        .replace(/ {2}- endpoints: \["h2:eth0", "r1:eth2"\]\n/, "")
        .replace(/ {6}eth2: \[10\.0\.2\.254\/24\]\n/, ""),
    );
    const { changes } = await topology.plan(withoutH2);
    expect(changes.map(topology.describeChange).sort()).toEqual([`- link r1:eth2`, `- namespace ${prefix}-h2 (node h2)`]);
    const h1Before = ipJson("-n", `${prefix}-h1`, "addr", "show");
    await topology.apply(withoutH2);
    expect(netnsList(prefix).sort()).toEqual([`${prefix}-h1`, `${prefix}-r1`]);
    expect(ipJson<{ ifname: string }[]>("-n", `${prefix}-r1`, "link", "show").map((l) => l.ifname)).toEqual(["lo", "eth1"]);
    expect(ipJson("-n", `${prefix}-h1`, "addr", "show")).toEqual(h1Before);
  });

  it("destroys everything it owns and leaves no namespace, file or mount behind", async () => {
    const result = await topology.destroy(prefix);
    expect(result.removed.map((r) => r.node).sort()).toEqual(["h1", "r1"]);
    expect(netnsList(prefix)).toEqual([]);
    expect(existsSync(`/run/netns/${prefix}-h1`)).toBe(false);
    expect(mountsUnder("/run/netns", prefix)).toEqual([]);
    expect(ipJson<{ ifname: string }[]>("link", "show").filter((l) => l.ifname.startsWith(prefix))).toEqual([]);
  });
});

describe("topology ownership", () => {
  const name = `${prefix}o`;
  afterAll(() => cleanup(name));

  it("refuses a namespace that is not its own before making any change", async () => {
    ip("netns", "add", `${name}-h1`);
    ip("-n", `${name}-h1`, "link", "add", "br9", "type", "bridge");
    const router = topology.load(example("router.yaml", name));
    await expect(topology.apply(router)).rejects.toMatchObject({
      code: "ERR_TOPOLOGY_CONFLICT",
      conflicts: [{ node: "h1", netns: `${name}-h1`, reason: "exists and is not this topology's" }],
    });
    expect(netnsList(name)).toEqual([`${name}-h1`]);
    expect(ipJson<{ ifname: string }[]>("-n", `${name}-h1`, "link", "show").map((l) => l.ifname)).toEqual(["lo", "br9"]);
    // destroy by name touches only what carries its marker: the foreign namespace stays.
    expect((await topology.destroy(name)).removed).toEqual([]);
    expect(netnsList(name)).toEqual([`${name}-h1`]);
    ip("netns", "del", `${name}-h1`);
  });

  it("adopts the empty namespace a create cut short leaves, and converges", async () => {
    ip("netns", "add", `${name}-h2`);
    const router = topology.load(example("router.yaml", name));
    const { changes } = await topology.plan(router);
    expect(changes).toContainEqual({ op: "create", kind: "namespace", node: "h2", netns: `${name}-h2`, adopt: true });
    await topology.apply(router);
    expect(pings(`${name}-h2`, "10.0.1.1")).toBe(true);
    expect((await topology.plan(router)).changes).toEqual([]);
    await topology.destroy(router);
    expect(netnsList(name)).toEqual([]);
  });

  it("lets one apply or destroy of a topology run at a time, across processes", () => {
    const core = new URL("../../dist/index.js", import.meta.url).href;
    const script = `const { topology } = await import(${JSON.stringify(core)});
      const t = topology.load(${JSON.stringify(example("router.yaml", name))});
      const run = () => topology.apply(t).then(() => "ok", (e) => e.code);
      console.log(JSON.stringify(await Promise.all([run(), run()])));
      await topology.destroy(t);`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out).sort()).toEqual(["ERR_TOPOLOGY_LOCKED", "ok"]);
    expect(netnsList(name)).toEqual([]);
  });
});

describe("topology examples", () => {
  const name = `${prefix}f`;
  afterAll(() => cleanup(name));

  it("applies the leaf-spine fabric, routes across it, and destroys it", async () => {
    const fabric = topology.load(example("leaf-spine.yaml", name));
    await topology.apply(fabric);
    expect(netnsList(name)).toHaveLength(14);
    for (const to of ["10.4.0.2", "10.2.0.1", "10.1.0.2"]) expect(pings(`${name}-h1`, to), `h1 -> ${to}`).toBe(true);
    expect((await topology.plan(fabric)).changes).toEqual([]);
    await topology.destroy(fabric);
    expect(netnsList(name)).toEqual([]);
  });
});
