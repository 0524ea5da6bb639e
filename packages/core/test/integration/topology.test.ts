import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { closeDefaultPool, defaultPool, type Topology, topology } from "@neslink/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { cleanup, FAIL_AFTER_MS, hostLinkNames, ip, ipJson, netnsList, uniquePrefix, until } from "./kernel.js";

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

/** Whether each `node:interface` is administratively up, as iproute2 shows it in the node's namespace. */
function upEnds(lab: string, ...ends: string[]): boolean[] {
  return ends.map((end) => {
    const [node, dev] = end.split(":") as [string, string];
    return ipJson<{ flags: string[] }[]>("-n", `${lab}-${node}`, "link", "show", "dev", dev)[0]?.flags.includes("UP") ?? false;
  });
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
    // The veths' far ends (h1:eth0, h2:eth0) come up with their pair: no update change of their own.
    const planned = (await topology.plan(router)).changes.map(topology.describeChange);
    expect(planned.filter((line) => line.startsWith("~"))).toEqual(["~ sysctl net.ipv4.ip_forward in r1: set to 1"]);
    const before = defaultPool().stats();
    const result = await topology.apply(router);
    const after = defaultPool().stats();
    expect(result.summary).toEqual({ add: 11, change: 1, destroy: 0 });
    expect(upEnds(prefix, "r1:eth1", "h1:eth0", "r1:eth2", "h2:eth0")).toEqual([true, true, true, true]);
    // One RTM_NEWLINK makes each pair (its near end up); the kernel cannot make the far end up in it (ENOTCONN), so one more
    // brings it up, in its node's configuration task; plus one per new namespace for its loopback.
    expect([after.requests.newLink - before.requests.newLink, after.requests.setLink - before.requests.setLink]).toEqual([2, 2 + 3]);
    expect(netnsList(prefix).sort()).toEqual([`${prefix}-h1`, `${prefix}-h2`, `${prefix}-r1`]);
    expect(addrsIn(`${prefix}-r1`, "eth1")).toEqual(["10.0.1.254/24"]);
    expect(addrsIn(`${prefix}-h2`, "eth0")).toEqual(["10.0.2.1/24"]);
    expect(ipJson("-n", `${prefix}-h1`, "route", "show", "default")).toMatchObject([
      { dst: "default", gateway: "10.0.1.254", dev: "eth0" },
    ]);
    expect(ip("netns", "exec", `${prefix}-r1`, "cat", "/proc/sys/net/ipv4/ip_forward").trim()).toBe("1");
    const [lo] = ipJson<{ ifalias?: string; flags: string[] }[]>("-n", `${prefix}-h1`, "link", "show", "lo");
    expect(lo).toMatchObject({ ifalias: `neslink:${prefix}:h1 ready` });
    expect(lo?.flags).toContain("UP");
    expect(pings(`${prefix}-h1`, "10.0.2.1")).toBe(true);
  });

  it("plans nothing for an unchanged file, and a re-apply sends no request that changes anything", async () => {
    const before = defaultPool().stats();
    expect((await topology.plan(router)).changes).toEqual([]);
    const again = await topology.apply(router);
    expect(again.changes).toEqual([]);
    const after = defaultPool().stats();
    expect(after.writes).toBe(before.writes);
    // It did read: the dumps of every node, twice (plan, then apply).
    expect(after.requests.getLinkDump - before.requests.getLinkDump).toBe(2 * router.nodes.length + 2);
  });

  it("changes only the address that changed", async () => {
    const changed = topology.load(example("router.yaml").replace("eth0: [10.0.2.1/24]", "eth0: [10.0.2.7/24]"));
    const { changes } = await topology.plan(changed);
    expect(changes.map(topology.describeChange)).toEqual(["+ address 10.0.2.7/24 on h2:eth0", "- address 10.0.2.1/24 on h2:eth0"]);
    const before = ipJson("-n", `${prefix}-h2`, "link", "show", "eth0");
    const sent = defaultPool().stats();
    await topology.apply(changed);
    const now = defaultPool().stats();
    // The old address out, the new one in, and h2's route through that subnet again (the kernel drops it with the old address).
    expect(now.writes - sent.writes).toBe(3);
    expect([
      now.requests.delAddr - sent.requests.delAddr,
      now.requests.newAddr - sent.requests.newAddr,
      now.requests.newRoute - sent.requests.newRoute,
    ]).toEqual([1, 1, 1]);
    expect(addrsIn(`${prefix}-h2`, "eth0")).toEqual(["10.0.2.7/24"]);
    // The link itself was left alone: same index, same MAC.
    expect(ipJson("-n", `${prefix}-h2`, "link", "show", "eth0")).toEqual(before);
    expect(pings(`${prefix}-h1`, "10.0.2.7")).toBe(true);
    router = changed;
  });

  it("removing a node removes its namespace and the far end of its link, nothing else", async () => {
    const withoutH2 = topology.load(
      example("router.yaml")
        .replace(/^ {2}h2: .*\n/m, "")
        .replace(/^ {2}- endpoints: \["h2:eth0", "r1:eth2"\]\n/m, "")
        .replace(", eth2: [10.0.2.254/24]", ""),
    );
    const { changes } = await topology.plan(withoutH2);
    expect(changes.map(topology.describeChange).sort()).toEqual([`- link veth r1:eth2`, `- netns ${prefix}-h2 (node h2)`]);
    // Compared whole, once IPv6's duplicate address detection is over: its `tentative` goes a second or more after the
    // link came up, and a loaded machine's apply took longer than that (seen: before tentative, after not).
    const settled = () => !ip("-j", "-n", `${prefix}-h1`, "addr", "show").includes('"tentative"');
    expect(await until(settled, FAIL_AFTER_MS)).toBe(true);
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
    await expect(topology.apply(router)).rejects.toThrow(/cannot use these namespaces; nothing was changed:/);
    // Looking is no refusal: inspect shows the lab, that node missing, and says whose namespace it is not.
    const seen = await topology.inspect(router);
    expect(seen.conflicts).toEqual([{ node: "h1", netns: `${name}-h1`, reason: "exists and is not this topology's" }]);
    expect(seen.drift).toBeUndefined();
    expect(seen.nodes.map((n) => n.phase)).toEqual(["missing", "missing", "missing"]);
    expect(netnsList(name)).toEqual([`${name}-h1`]);
    expect(ipJson<{ ifname: string }[]>("-n", `${name}-h1`, "link", "show").map((l) => l.ifname)).toEqual(["lo", "br9"]);
    // destroy by name touches only what carries its marker: the foreign namespace stays.
    expect((await topology.destroy(name)).removed).toEqual([]);
    expect(netnsList(name)).toEqual([`${name}-h1`]);
    ip("netns", "del", `${name}-h1`);
  });

  it("refuses an empty, unmarked namespace (made by ip netns add): the lab's own are marked before their names appear", async () => {
    ip("netns", "add", `${name}-h2`);
    const router = topology.load(example("router.yaml", name));
    await expect(topology.plan(router)).rejects.toMatchObject({
      code: "ERR_TOPOLOGY_CONFLICT",
      conflicts: [{ node: "h2", netns: `${name}-h2`, reason: "exists and is not this topology's" }],
    });
    // plan changes nothing, ever: it does not say so as if it had been about to.
    await expect(topology.plan(router)).rejects.toThrow(/cannot use these namespaces:\n/);
    expect(netnsList(name)).toEqual([`${name}-h2`]);
    ip("netns", "del", `${name}-h2`);
    // What the lab makes carries its mark from the start.
    await topology.apply(router);
    const [lo] = ipJson<{ ifalias?: string }[]>("-n", `${name}-h2`, "link", "show", "lo");
    expect(lo?.ifalias).toBe(`neslink:${name}:h2 ready`);
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

  it("applies the leaf-spine fabric, routes across it, reroutes a leaf through the other spine, and destroys it", async () => {
    const fabric = topology.load(example("leaf-spine.yaml", name));
    await topology.apply(fabric);
    expect(netnsList(name)).toHaveLength(14);
    for (const to of ["10.4.0.2", "10.2.0.1", "10.1.0.2"]) expect(pings(`${name}-h1`, to), `h1 -> ${to}`).toBe(true);
    expect((await topology.plan(fabric)).changes).toEqual([]);
    // leaf1 sends the rest through spine2 instead of spine1: one route out, one in, nothing else.
    const rerouted = topology.load(
      example("leaf-spine.yaml", name).replace("- { to: 10.0.0.0/8, via: 172.16.1.2 }", "- { to: 10.0.0.0/8, via: 172.16.2.2 }"),
    );
    const { changes } = await topology.plan(rerouted);
    expect(changes.map(topology.describeChange)).toEqual([
      "- route 10.0.0.0/8 via 172.16.1.2 dev spine1 in leaf1",
      "+ route 10.0.0.0/8 via 172.16.2.2 in leaf1",
    ]);
    await topology.apply(rerouted);
    expect(ipJson("-n", `${name}-leaf1`, "route", "show", "10.0.0.0/8")).toMatchObject([{ gateway: "172.16.2.2", dev: "spine2" }]);
    expect(pings(`${name}-h1`, "10.4.0.2")).toBe(true);
    await topology.destroy(fabric);
    expect(netnsList(name)).toEqual([]);
  });

  it("applies the 500-node star, pings across its bridge, changes one host, and destroys it", async () => {
    const star = topology.load(example("star-500.yaml", name));
    await topology.apply(star);
    expect(netnsList(name)).toHaveLength(501);
    expect(ipJson<{ master?: string }[]>("-n", `${name}-hub`, "link", "show").filter((l) => l.master === "br0")).toHaveLength(500);
    expect(pings(`${name}-n499`, "10.0.0.1")).toBe(true);
    const moved = topology.load(
      example("star-500.yaml", name).replace(
        "n7: { ipv6: false, addresses: { eth0: [10.0.0.8/16] } }",
        "n7: { ipv6: false, addresses: { eth0: [10.0.7.7/16] } }",
      ),
    );
    expect((await topology.plan(moved)).changes.map(topology.describeChange)).toEqual([
      "+ address 10.0.7.7/16 on n7:eth0",
      "- address 10.0.0.8/16 on n7:eth0",
    ]);
    await topology.apply(moved);
    expect(addrsIn(`${name}-n7`, "eth0")).toEqual(["10.0.7.7/16"]);
    expect(pings(`${name}-n0`, "10.0.7.7")).toBe(true);
    await topology.destroy(star);
    expect(netnsList(name)).toEqual([]);
  });
});

describe("topology updates in place", () => {
  const name = `${prefix}u`;
  afterAll(() => cleanup(name));
  /** A sysctl as the kernel reads it inside one of the lab's namespaces. */
  const sysctlIn = (netns: string, key: string) =>
    execFileSync("ip", ["netns", "exec", netns, "cat", `/proc/sys/${key.replaceAll(".", "/")}`], { encoding: "utf8" });
  const lab = (mtu: number, mac: string, up: boolean, master: string) => `name: ${name}
nodes:
  a: { bridges: [br0, br1] }
  b: {}
links:
  - endpoints: [{ node: a, interface: p0, master: ${master} }, { node: b, interface: eth0, mac: "${mac}" }]
    mtu: ${mtu}
    up: ${up}
`;

  it("changes MTU, MAC, up/down and master in place (same link, same index) and adding a link touches only its two ends", async () => {
    await topology.apply(topology.load(lab(1500, "02:00:00:00:00:01", true, "br0")));
    const index = (netns: string, dev: string) => ipJson<{ ifindex: number }[]>("-n", netns, "link", "show", dev)[0]?.ifindex;
    const before = [index(`${name}-a`, "p0"), index(`${name}-b`, "eth0")];
    const changed = topology.load(lab(9000, "02:00:00:00:00:02", false, "br1"));
    const { changes } = await topology.plan(changed);
    expect(changes.every((c) => c.op === "update" && c.object === "link")).toBe(true);
    await topology.apply(changed);
    const [p0] = ipJson<{ mtu: number; master: string; flags: string[] }[]>("-n", `${name}-a`, "link", "show", "p0");
    const [eth0] = ipJson<{ mtu: number; address: string; flags: string[] }[]>("-n", `${name}-b`, "link", "show", "eth0");
    expect(p0).toMatchObject({ mtu: 9000, master: "br1" });
    expect(p0?.flags).not.toContain("UP");
    expect(eth0).toMatchObject({ mtu: 9000, address: "02:00:00:00:00:02" });
    expect([index(`${name}-a`, "p0"), index(`${name}-b`, "eth0")]).toEqual(before);

    const more = topology.load(`${lab(9000, "02:00:00:00:00:02", false, "br1")}  - endpoints: ["a:p1", "b:eth1"]\n`);
    // b has nothing else to configure: its configuration task runs for the far end alone.
    expect((await topology.plan(more)).changes.map(topology.describeChange)).toEqual(["+ link veth a:p1 <-> b:eth1"]);
    await topology.apply(more);
    expect(ipJson<{ ifname: string }[]>("-n", `${name}-b`, "link", "show").map((l) => l.ifname)).toEqual(["lo", "eth0", "eth1"]);
    expect(upEnds(name, "a:p1", "b:eth1")).toEqual([true, true]);
    expect((await topology.plan(more)).changes).toEqual([]);
    await topology.destroy(name);
  });

  it("brings far ends up itself because the kernel will not make a veth's peer up (iproute2's `peer ... up` fails)", () => {
    ip("netns", "add", `${name}-k`);
    const made = spawnSync("ip", ["-n", `${name}-k`, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "up"], {
      encoding: "utf8",
    });
    expect([made.status, made.stderr.trim()]).toEqual([2, "RTNETLINK answers: Transport endpoint is not connected"]);
    expect(ipJson<{ ifname: string }[]>("-n", `${name}-k`, "link", "show").map((l) => l.ifname)).toEqual(["lo"]);
    ip("netns", "del", `${name}-k`);
  });

  it("makes a new pair the file wants down with both ends down, and plans nothing after", async () => {
    const down = topology.load(lab(1500, "02:00:00:00:00:01", false, "br0"));
    expect((await topology.plan(down)).changes.filter((c) => c.object === "link" && c.op !== "create")).toEqual([]);
    await topology.apply(down);
    expect(upEnds(name, "a:p0", "b:eth0")).toEqual([false, false]);
    expect((await topology.plan(down)).changes).toEqual([]);
    await topology.destroy(name);
  });

  it("writes a new node's interface sysctls once its links exist (net.ipv4.conf.eth0.*: no such file before)", async () => {
    const lab = topology.load(`name: ${name}
nodes:
  a:
    sysctls: { net.ipv4.conf.eth0.rp_filter: 2, net.ipv6.conf.eth0.disable_ipv6: 1, net.ipv4.conf.default.rp_filter: 2 }
  b: {}
links:
  - endpoints: ["a:eth0", "b:eth0"]
`);
    await topology.apply(lab);
    expect(sysctlIn(`${name}-a`, "net.ipv4.conf.eth0.rp_filter")).toBe("2\n");
    expect(sysctlIn(`${name}-a`, "net.ipv6.conf.eth0.disable_ipv6")).toBe("1\n");
    expect(sysctlIn(`${name}-a`, "net.ipv4.conf.default.rp_filter")).toBe("2\n");
    expect((await topology.plan(lab)).changes).toEqual([]);
    await topology.destroy(name);
  });

  it("takes a sysctl of several numbers as set once it is, though the kernel reads it back with tabs", async () => {
    const multi = topology.load(`name: ${name}
nodes:
  a:
    sysctls:
      net.ipv4.ip_local_port_range: "20000 30000"
      net.ipv4.tcp_rmem: "  4096   131072 6291456 "
`);
    await topology.apply(multi);
    expect(sysctlIn(`${name}-a`, "net.ipv4.ip_local_port_range")).toBe("20000\t30000\n");
    expect(sysctlIn(`${name}-a`, "net.ipv4.tcp_rmem")).toBe("4096\t131072\t6291456\n");
    expect((await topology.plan(multi)).changes).toEqual([]);
    await topology.destroy(name);
  });
});

describe("topology programs", () => {
  const name = `${prefix}p`;
  afterAll(() => cleanup(name));
  const lab = (seconds: number) => `name: ${name}
nodes:
  a:
    exec: ["echo made in $(readlink /proc/self/ns/net)", [cat, /proc/sys/net/ipv4/ip_forward]]
    processes: [[sleep, "${seconds}"], { name: web, command: "exec sleep 300", env: { GREETING: hi } }]
  b: {}
links:
  - endpoints: ["a:eth0", "b:eth0"]
`;
  const inodeOf = (netns: string) => Number(execFileSync("stat", ["-L", "-c", "%i", `/run/netns/${netns}`], { encoding: "utf8" }).trim());
  const nsOfPid = (pid: number) =>
    Number(/net:\[(\d+)\]/.exec(execFileSync("readlink", [`/proc/${pid}/ns/net`], { encoding: "utf8" }))?.[1]);

  it("runs exec once inside the new node and starts its processes there, outliving the apply process", async () => {
    const core = new URL("../../dist/index.js", import.meta.url).href;
    const script = `const { topology } = await import(${JSON.stringify(core)});
      const r = await topology.apply(topology.load(${JSON.stringify(lab(1000))}));
      console.log(JSON.stringify(r.exec));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(0);
    const exec = JSON.parse(run.stdout);
    expect(exec.map((e: { stdout: string }) => e.stdout.trim())).toEqual([`made in net:[${inodeOf(`${name}-a`)}]`, "0"]);
    const { nodes } = await topology.inspect(name);
    const a = nodes.find((n) => n.name === "a");
    expect(a?.processes.map((p) => [p.name, p.argv])).toEqual([
      ["sleep", ["sleep", "1000"]],
      ["web", ["sleep", "300"]],
    ]);
    for (const p of a?.processes ?? []) expect(nsOfPid(p.pid)).toBe(inodeOf(`${name}-a`));
    expect(readFileSync(`/proc/${a?.processes[1]?.pid}/environ`, "utf8")).toContain("GREETING=hi");
  });

  it("plans nothing while they run, restarts one that died or changed, and destroy ends them", async () => {
    const t = topology.load(lab(1000));
    expect((await topology.plan(t)).changes).toEqual([]);
    const [sleeper] = (await topology.inspect(name)).nodes.find((n) => n.name === "a")?.processes ?? [];
    process.kill(sleeper?.pid as number, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
    expect((await topology.plan(t)).changes.map(topology.describeChange)).toEqual(["+ process a:sleep (sleep 1000)"]);
    await topology.apply(t);
    const changed = topology.load(lab(2000));
    const before = (await topology.inspect(name)).nodes.find((n) => n.name === "a")?.processes ?? [];
    await topology.apply(changed);
    const after = (await topology.inspect(changed)).nodes.find((n) => n.name === "a")?.processes ?? [];
    expect(after.map((p) => p.argv)).toEqual([
      ["sleep", "2000"],
      ["sleep", "300"],
    ]);
    expect(after.find((p) => p.name === "web")?.pid).toBe(before.find((p) => p.name === "web")?.pid);
    // Ended: gone, or a zombie its new parent (init here) has not reaped yet, which holds no namespace.
    const ended = (pid: number | undefined) =>
      expect(existsSync(`/proc/${pid}`) ? readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] : "gone").toMatch(/^(gone|Z)$/);
    ended(before.find((p) => p.name === "sleep")?.pid);
    await topology.destroy(name);
    for (const p of after) ended(p.pid);
    expect(netnsList(name)).toEqual([]);
  });
});

describe("topology interfaces that reach beyond the lab", () => {
  const name = `${prefix}x`;
  const parent = `${prefix}xp`;
  // The parent veth's names start with the lab's name too.
  afterAll(() => cleanup(name));

  it("makes a vxlan and a macvlan on host links in their node, and destroy leaves the host as it was", async () => {
    ip("link", "add", parent, "type", "veth", "peer", "name", `${parent}b`);
    const hostBefore = hostLinkNames(prefix);
    const lab = topology.load(`name: ${name}
nodes:
  a:
    bridges: [br0]
    interfaces:
      vx0: { kind: vxlan, id: 42, remote: 192.0.2.1, port: 4789, parent: ${parent}, master: br0 }
      mv0: { kind: macvlan, parent: ${parent}, mode: bridge }
    addresses: { mv0: [10.3.0.1/24] }
`);
    const { changes } = await topology.apply(lab);
    expect(changes.map(topology.describeChange)).toContain(`+ link vxlan a:vx0 on host link ${parent} (id 42 remote 192.0.2.1 port 4789)`);
    const [vx] = ipJson<
      { ifname: string; master?: string; flags: string[]; linkinfo: { info_kind: string; info_data: Record<string, unknown> } }[]
    >("-n", `${name}-a`, "link", "show", "vx0");
    expect(vx).toMatchObject({ master: "br0", linkinfo: { info_kind: "vxlan", info_data: { id: 42, remote: "192.0.2.1", port: 4789 } } });
    expect(vx?.flags).toContain("UP");
    const [mv] = ipJson<{ linkinfo: { info_kind: string; info_data: { mode: string } } }[]>("-n", `${name}-a`, "link", "show", "mv0");
    expect(mv?.linkinfo).toMatchObject({ info_kind: "macvlan", info_data: { mode: "bridge" } });
    expect(addrsIn(`${name}-a`, "mv0")).toEqual(["10.3.0.1/24"]);
    // Nothing of the lab is in the host namespace.
    expect(hostLinkNames(prefix)).toEqual(hostBefore);
    expect((await topology.plan(lab)).changes).toEqual([]);
    await topology.destroy(lab);
    expect(netnsList(name)).toEqual([]);
    expect(hostLinkNames(prefix)).toEqual(hostBefore);
  });

  it("destroy returns once nothing of the lab is left outside it: 20 destroy -> apply cycles never meet EEXIST", async () => {
    const outside = `${name}out`;
    const uplink = `${name}u`;
    ip("link", "add", uplink, "type", "veth", "peer", "name", `${uplink}b`);
    ip("netns", "add", outside);
    try {
      const lab = topology.load(`name: ${name}
nodes:
  a:
    interfaces:
      vx0: { kind: vxlan, id: 43, remote: 192.0.2.1, port: 4790, parent: ${uplink} }
  b: {}
links:
  - endpoints: ["a:e0", "b:e0"]
`);
      for (let cycle = 0; cycle < 20; cycle++) {
        // Made again at once: a vxlan of the destroyed lab still registered in the host would make this EEXIST.
        await topology.apply(lab);
        // A veth from a node to a namespace outside the lab, made by hand: b is on the lab's record (ns-record.ts), so
        // destroy unmounts it unread, and the far end goes when the kernel destroys b, soon after destroy returns.
        ip("-n", `${name}-b`, "link", "add", "hx", "type", "veth", "peer", "name", "hxo", "netns", outside);
        await topology.destroy(lab);
        await vi.waitFor(() => expect(ipJson<{ ifname: string }[]>("-n", outside, "link", "show").map((l) => l.ifname)).toEqual(["lo"]), {
          timeout: 10_000,
        });
      }
      expect(netnsList(name).filter((n) => n !== outside)).toEqual([]);
      // Nothing of the vxlan is left in the host either: the same one can be made there now.
      ip("link", "add", `${name}vx`, "type", "vxlan", "id", "43", "remote", "192.0.2.1", "dstport", "4790", "dev", uplink);
      ip("link", "del", `${name}vx`);
    } finally {
      ip("netns", "del", outside);
      ip("link", "del", uplink);
    }
  });

  it("removes what an apply killed between making a vxlan in the host and moving it left there", async () => {
    ip("link", "add", `${name}tmp`, "type", "vxlan", "id", "7", "remote", "192.0.2.1", "dstport", "4789");
    ip("link", "set", `${name}tmp`, "alias", `neslink:${name}:a:vx0`);
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n`);
    expect((await topology.plan(lab)).changes.map(topology.describeChange)).toContain(
      `- link vxlan ${name}tmp in the host namespace (left by an apply cut short)`,
    );
    await topology.apply(lab);
    expect(ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname)).not.toContain(`${name}tmp`);
    await topology.destroy(lab);
  });

  it("destroy, given the file or the name, removes such a stray too, and leaves another lab's", async () => {
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n  b: {}\n`);
    const hostNames = () => ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname);
    // Left by a cut-short apply of this lab, and of another whose name only starts like it.
    const strays = [
      { link: `${name}s`, lab: name, id: "8" },
      { link: `${name}t`, lab: `${name}o`, id: "9" },
    ];
    for (const by of [lab, name]) {
      await topology.apply(lab);
      for (const { link, lab: owner, id } of strays) {
        ip("link", "add", link, "type", "vxlan", "id", id, "remote", "192.0.2.1", "dstport", "4789");
        ip("link", "set", link, "alias", `neslink:${owner}:a:vx0`);
      }
      await topology.destroy(by);
      expect(netnsList(name)).toEqual([]);
      expect(hostNames()).not.toContain(`${name}s`);
      expect(hostNames()).toContain(`${name}t`);
      ip("link", "del", `${name}t`);
    }
  });

  it("removes a vxlan an apply was killed after making in the host and before marking it: its temporary name names the lab", async () => {
    // What the README says such a link is called: `nl`, 6 hex digits of the SHA-256 of the lab's name, 6 random ones.
    const tempName = (lab: string) => `nl${createHash("sha256").update(lab).digest("hex").slice(0, 6)}0a1b2c`;
    const hostNames = () => ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname);
    const ours = tempName(name);
    const others = tempName(`${name}o`);
    const handMade = tempName(name).replace(/0a1b2c$/, "0a1b2d");
    const lab = topology.load(`name: ${name}\nnodes:\n  a: {}\n`);
    try {
      for (const by of ["apply", "destroy"] as const) {
        await topology.apply(lab);
        // The group every host-made link is created with, and no alias: the kernel sets none on a new link.
        for (const [link, id, group] of [
          [ours, "11", "20045"],
          [others, "12", "20045"],
          [handMade, "13", "0"],
        ] as const) {
          ip("link", "add", link, "group", group, "type", "vxlan", "id", id, "remote", "192.0.2.1", "dstport", "4789");
        }
        if (by === "apply") {
          expect((await topology.plan(lab)).changes.map(topology.describeChange)).toContain(
            `- link vxlan ${ours} in the host namespace (left by an apply cut short)`,
          );
          await topology.apply(lab);
          expect(hostNames()).not.toContain(ours);
        }
        await topology.destroy(name);
        expect(netnsList(name)).toEqual([]);
        expect(hostNames()).not.toContain(ours);
        // Another lab's, and one made by hand (not in the group), are left alone.
        expect(hostNames()).toEqual(expect.arrayContaining([others, handMade]));
        ip("link", "del", others);
        ip("link", "del", handMade);
      }
    } finally {
      for (const link of [ours, others, handMade]) if (hostNames().includes(link)) ip("link", "del", link);
    }
  });
});
