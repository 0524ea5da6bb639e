import { execFileSync, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, json, neslink } from "./run.js";

const prefix = uniquePrefix("ng");
afterAll(() => cleanup(prefix));

type IpLink = { ifname: string; mtu: number; operstate: string; flags: string[]; ifalias?: string; master?: string; link_netnsid?: number };
const linkIn = (netns: string, name: string) => ipJson<IpLink[]>("-n", netns, "link", "show", "dev", name)[0] as IpLink;
const addrsIn = (netns: string, name: string) =>
  ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", netns, "addr", "show", "dev", name)[0]?.addr_info.map(
    (a) => `${a.local}/${a.prefixlen}`,
  );

describe("iproute2's grammar from the built bin, checked with ip -j", () => {
  it("creates a bridge and a veth whose peer is made in another namespace, sets, addresses, routes and deletes them", () => {
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    expect(neslink("ns", "add", a).status).toBe(0);
    expect(neslink("ns", "add", b).status).toBe(0);

    expect(json("link", "add", "bridge", "br0", "up", "-n", a)).toMatchObject({
      status: 0,
      body: { name: "br0", kind: "bridge", up: true },
    });
    const veth = json("link", "add", "veth", "v0", "peer", "eth0", "netns", b, "master", "br0", "mtu", "1400", "up", "-n", a);
    expect(veth).toMatchObject({ status: 0, body: { name: "v0", kind: "veth", mtu: 1400 } });
    expect(linkIn(a, "v0")).toMatchObject({ mtu: 1400, master: "br0" });
    expect(ipJson<IpLink[]>("-n", b, "link", "show").map((l) => l.ifname)).toEqual(["lo", "eth0"]);

    expect(neslink("link", "set", "eth0", "up", "mtu", "1400", "alias", "to a", "-n", b).status).toBe(0);
    expect(linkIn(b, "eth0")).toMatchObject({ mtu: 1400, ifalias: "to a" });
    expect(linkIn(b, "eth0").flags).toContain("UP");

    expect(neslink("addr", "add", "10.9.0.1/24", "dev", "br0", "-n", a).status).toBe(0);
    expect(neslink("addr", "add", "10.9.0.2/24", "dev", "eth0", "-n", b).status).toBe(0);
    expect(neslink("addr", "add", "fd00:9::2/64", "dev", "eth0", "-n", b).status).toBe(0);
    expect(addrsIn(b, "eth0")).toEqual(expect.arrayContaining(["10.9.0.2/24", "fd00:9::2/64"]));
    const listed = json("addr", "list", "dev", "eth0", "-4", "-n", b);
    expect(listed.body).toEqual([
      { dev: "eth0", family: "inet", address: "10.9.0.2", prefixLen: 24, cidr: "10.9.0.2/24", scope: "global" },
    ]);

    expect(neslink("route", "add", "default", "via", "10.9.0.1", "-n", b).status).toBe(0);
    expect(neslink("route", "add", "10.20.0.0/16", "via", "10.9.0.1", "metric", "5", "-n", b).status).toBe(0);
    expect(neslink("route", "replace", "10.20.0.0/16", "dev", "eth0", "metric", "5", "-n", b).status).toBe(0);
    const routes = ipJson<{ dst: string; gateway?: string; dev: string; metric?: number }[]>("-n", b, "route", "show");
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: "default", gateway: "10.9.0.1" }),
        expect.objectContaining({ dst: "10.20.0.0/16", dev: "eth0", metric: 5 }),
      ]),
    );
    expect(routes.find((r) => r.dst === "10.20.0.0/16")?.gateway).toBeUndefined();
    expect(json("route", "list", "-4", "-n", b).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ to: "default", via: "10.9.0.1", dev: "eth0", table: "main" })]),
    );
    expect(neslink("route", "del", "10.20.0.0/16", "dev", "eth0", "-n", b).status).toBe(0);
    expect(ipJson<{ dst: string }[]>("-n", b, "route", "show").map((r) => r.dst)).not.toContain("10.20.0.0/16");

    expect(execFileSync("ip", ["netns", "exec", b, "ping", "-c1", "-W2", "10.9.0.1"]).toString()).toContain("1 received");
    expect(neslink("addr", "del", "10.9.0.2/24", "dev", "eth0", "-n", b).status).toBe(0);
    expect(addrsIn(b, "eth0")).not.toContain("10.9.0.2/24");

    expect(neslink("link", "set", "v0", "nomaster", "down", "-n", a).status).toBe(0);
    expect(linkIn(a, "v0").master).toBeUndefined();
    expect(neslink("link", "del", "v0", "-n", a)).toMatchObject({ status: 0, stdout: "deleted link v0\n" });
    expect(ipJson<IpLink[]>("-n", b, "link", "show").map((l) => l.ifname)).toEqual(["lo"]);
  });

  it("moves a link to another namespace with link set netns", () => {
    const [a, b] = [`${prefix}c`, `${prefix}d`];
    neslink("ns", "add", a);
    neslink("ns", "add", b);
    expect(neslink("link", "add", "veth", "m0", "peer", "m1", "-n", a).status).toBe(0);
    expect(json("link", "set", "m1", "netns", b, "-n", a)).toMatchObject({ status: 0, body: { name: "m1" } });
    expect(ipJson<IpLink[]>("-n", b, "link", "show").map((l) => l.ifname)).toContain("m1");
    expect(ipJson<IpLink[]>("-n", a, "link", "show").map((l) => l.ifname)).not.toContain("m1");
  });

  it("reads numbers in hexadecimal after 0x, as iproute2 does (table 0x64, group 0xff)", () => {
    const name = `${prefix}h`;
    neslink("ns", "add", name);
    ip("-n", name, "link", "set", "lo", "up");
    expect(neslink("route", "add", "10.66.0.0/16", "dev", "lo", "table", "0x64", "-n", name).status).toBe(0);
    expect(ipJson<{ dst: string }[]>("-n", name, "route", "show", "table", "100").map((r) => r.dst)).toEqual(["10.66.0.0/16"]);
    expect(json("route", "list", "table", "0x64", "-n", name).body).toMatchObject([{ to: "10.66.0.0/16", table: "100" }]);
    expect(neslink("link", "set", "lo", "group", "0xff", "-n", name).status).toBe(0);
    expect(ipJson<{ group: string }[]>("-n", name, "link", "show", "dev", "lo")[0]?.group).toBe("255");
    expect(json("link", "show", "lo", "-n", name).body).toMatchObject({ group: "255" });
    expect(neslink("route", "del", "10.66.0.0/16", "dev", "lo", "table", "0x64", "-n", name).status).toBe(0);
    expect(ipJson("-n", name, "route", "show", "table", "100")).toEqual([]);
  });

  it("reads a number with a leading 0 as octal, as ip itself does with the same words (table 010 is table 8)", () => {
    const name = `${prefix}o`;
    neslink("ns", "add", name);
    ip("-n", name, "link", "set", "lo", "up");
    ip("-n", name, "route", "add", "10.67.8.0/24", "dev", "lo", "table", "8");
    ip("-n", name, "route", "add", "10.67.10.0/24", "dev", "lo", "table", "10");
    // The table ip reads `010` as, and acts on: neslink must mean the same one.
    const ipSees = ipJson<{ dst: string }[]>("-n", name, "route", "show", "table", "010").map((r) => r.dst);
    expect(ipSees).toEqual(["10.67.8.0/24"]);
    expect(json("route", "list", "table", "010", "-n", name).body.map((r: { to: string }) => r.to)).toEqual(ipSees);
    expect(neslink("link", "set", "lo", "group", "010", "-n", name).status).toBe(0);
    expect(ipJson<{ group: string }[]>("-n", name, "link", "show", "dev", "lo")[0]?.group).toBe("8");
    // Not an octal number: ip refuses it too.
    expect(neslink("route", "list", "table", "08", "-n", name)).toMatchObject({ status: 2 });
    expect(neslink("route", "del", "10.67.8.0/24", "dev", "lo", "table", "010", "-n", name).status).toBe(0);
    expect(ipJson("-n", name, "route", "show", "table", "8")).toEqual([]);
    expect(ipJson<{ dst: string }[]>("-n", name, "route", "show", "table", "10").map((r) => r.dst)).toEqual(["10.67.10.0/24"]);
  });

  it("names a number too large for any field as it was typed, not as the double it rounds to", () => {
    for (const [args, typed] of [
      [["link", "set", "lo", "mtu", "99999999999999999999"], "99999999999999999999"],
      [["route", "add", "10.68.0.0/16", "dev", "lo", "table", "0xffffffffffffffffff"], "0xffffffffffffffffff"],
    ] as const) {
      const r = neslink(...args, "-n", `${prefix}none`);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${typed} is out of range`);
    }
  });

  it("takes the namespace as a path or a process id as well as a name", async () => {
    const name = `${prefix}e`;
    neslink("ns", "add", name);
    ip("-n", name, "link", "set", "lo", "up");
    const byPath = json("link", "show", "lo", "-n", `/run/netns/${name}`);
    expect(byPath.body).toMatchObject({ name: "lo", up: true });

    const sleeper = spawn("ip", ["netns", "exec", name, "sleep", "30"], { stdio: "ignore" });
    try {
      // Wait until the program runs inside (ip netns exec has switched and exec'd sleep).
      let pid = 0;
      for (const end = Date.now() + FAIL_AFTER_MS; pid === 0 && Date.now() < end; ) {
        const found = execFileSync("ip", ["netns", "pids", name], { encoding: "utf8" }).trim();
        pid = Number(found.split("\n")[0] || 0);
        if (pid === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(pid).toBeGreaterThan(0);
      expect(json("link", "show", "lo", "-n", String(pid)).body).toMatchObject({ name: "lo", up: true });
    } finally {
      sleeper.kill();
    }
  });

  it("refuses a kind the kernel lacks with a typed error, creating nothing", () => {
    const name = `${prefix}f`;
    neslink("ns", "add", name);
    const r = json("link", "add", "dummy", "d0", "-n", name);
    expect(r.status).toBe(1);
    expect(r.body.error.code).toBe("ERR_KIND_UNSUPPORTED");
    expect(ipJson<IpLink[]>("-n", name, "link", "show").map((l) => l.ifname)).toEqual(["lo"]);
  });
});

describe("neslink monitor (built bin)", () => {
  it("prints a link going down as one JSON object a line, and ends on SIGINT with status 0", async () => {
    const name = `${prefix}m`;
    neslink("ns", "add", name);
    neslink("link", "add", "veth", "w0", "peer", "w1", "up", "-n", name);
    const mon = spawn(process.execPath, [BIN, "monitor", "link", "--json", "-n", name], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    mon.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => mon.on("exit", (code) => resolve(code)));
    try {
      // The watch starts a moment after the process: change the link until its events come (each a different MTU).
      for (let i = 0, end = Date.now() + FAIL_AFTER_MS; !out.includes('"changed"') && Date.now() < end; i++) {
        ip("-n", name, "link", "set", "w0", "mtu", String(1400 - (i % 100)));
        await new Promise((r) => setTimeout(r, 100));
      }
      ip("-n", name, "link", "set", "w0", "down");
      while (!/"up":false/.test(out)) await new Promise((r) => setTimeout(r, 50));
    } finally {
      mon.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    const events = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const down = events.find((e) => e.link.up === false);
    expect(down).toMatchObject({ type: "link", action: "changed", netns: name, link: { name: "w0", up: false } });
    expect(down.changed).toContain("up");
    expect(linkIn(name, "w0").flags).not.toContain("UP");
  });

  it("reads a link's name as ip does where it may come without dev: addr show NAME, link list NAME, route show dev NAME", () => {
    const name = `${prefix}bare`;
    expect(neslink("ns", "add", name).status).toBe(0);
    ip("-n", name, "link", "add", "br0", "type", "bridge");
    ip("-n", name, "addr", "add", "10.31.0.1/24", "dev", "br0");
    ip("-n", name, "link", "set", "br0", "up");

    const bare = json("addr", "show", "br0", "-4", "-n", name);
    expect(bare).toMatchObject({ status: 0, body: json("addr", "list", "dev", "br0", "-4", "-n", name).body });
    expect((bare.body as { cidr: string }[]).map((a) => a.cidr)).toEqual(addrsIn(name, "br0")?.filter((a) => a.includes(".")));
    expect(json("link", "list", "br0", "-n", name)).toMatchObject({ status: 0, body: { name: "br0", kind: "bridge" } });
    expect(json("link", "list", "dev", "br0", "-n", name)).toMatchObject({ status: 0, body: { name: "br0" } });

    // Every table's IPv4 routes out of br0, as ip lists them (a host route's dst, as the local table's, has no prefix length).
    const routes = json("route", "show", "dev", "br0", "-4", "-n", name);
    expect(routes.status).toBe(0);
    const ours = (routes.body as { to: string; dev: string }[]).map((r) => `${r.dev} ${r.to}`).sort();
    const ips = ipJson<{ dst: string }[]>("-4", "-n", name, "route", "show", "table", "all", "dev", "br0")
      .map((r) => `br0 ${r.dst}`)
      .sort();
    expect(ours).toEqual(ips);
    expect(ours).toContain("br0 10.31.0.0/24");
    // lo's routes are left out; a link that is not there is an error, as with ip.
    expect(ours.some((r) => r.includes("127.0.0.1"))).toBe(false);
    expect(neslink("route", "list", "dev", "nosuch", "-n", name).stderr).toContain('no link with name "nosuch"');
  });
});
