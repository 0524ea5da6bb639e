/**
 * One shape per thing, whichever command prints it: `monitor --json` gives a
 * link, an address, a route as `link list`, `addr list`, `route list --json`
 * give them, and `addr add` / `route add` theirs as the lists show them; each
 * checked against `ip -j` too, whose names they use for what netlink numbers
 * (flags, group, operstate, table, family, scope, type; a host route's dst),
 * and `ns list` gives the namespaces as `ip -j netns list` does.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, ipJson, ipNetnsJson, uniquePrefix, until } from "../../../core/test/integration/kernel.js";
import { BIN, json } from "./run.js";

const prefix = uniquePrefix("js");
const ns = `${prefix}a`;

interface Event {
  type: string;
  action?: string;
  netns: string;
  [what: string]: unknown;
}

let monitor: ChildProcess;
const events: Event[] = [];

/** The events of `type` whose object matches `match`, in the order they came. */
function eventsOf(type: string, match: (object: Record<string, unknown>) => boolean): Event[] {
  return events.filter((e) => e.type === type && match(e[type] as Record<string, unknown>));
}

/** Waits for the first event of `type` and `action` whose object matches; fails naming what came instead. */
async function eventFor(type: string, action: string, match: (object: Record<string, unknown>) => boolean): Promise<Event> {
  const found = () => eventsOf(type, match).find((e) => e.action === action);
  if (!(await until(() => found() !== undefined, FAIL_AFTER_MS)))
    throw new Error(`no ${type} ${action} event came; the events: ${JSON.stringify(events)}`);
  return found() as Event;
}

beforeAll(async () => {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  // No IPv6 link-local address: its routes and neighbours would come and go as the test runs.
  for (const dev of ["v0", "v1"]) ip("-n", ns, "link", "set", dev, "addrgenmode", "none", "up");
  monitor = spawn(process.execPath, [BIN, "monitor", "--json", "-n", ns], { stdio: ["ignore", "pipe", "inherit"] });
  let pending = "";
  monitor.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    // Every line of stdout is one JSON document: a line that is not fails here.
    for (const line of lines) events.push(JSON.parse(line) as Event);
  });
  // It prints nothing until something changes: lo is toggled until its first event shows it listens.
  let up = false;
  const listening = await until(() => {
    up = !up;
    ip("-n", ns, "link", "set", "lo", up ? "up" : "down");
    return events.length > 0;
  }, 10_000);
  expect(listening).toBe(true);
});

afterAll(async () => {
  if (monitor.exitCode === null) {
    const exited = new Promise((resolve) => monitor.once("exit", resolve));
    monitor.kill("SIGTERM");
    await exited;
  }
  cleanup(prefix);
});

describe("monitor --json and the lists", () => {
  it("gives an address added as addr list gives it, and addr add as addr list shows it", async () => {
    const added = json("addr", "add", "10.20.0.1/24", "dev", "v0", "-n", ns);
    expect(added.status).toBe(0);
    const listed = json("addr", "list", "dev", "v0", "-4", "-n", ns).body as Record<string, unknown>[];
    const row = listed.find((a) => a.cidr === "10.20.0.1/24");
    expect(row).toEqual({ dev: "v0", family: "inet", address: "10.20.0.1", prefixLen: 24, cidr: "10.20.0.1/24", scope: "global" });
    const { scope: _, ...asGiven } = row as Record<string, unknown>;
    expect(added.body).toEqual(asGiven);
    const event = await eventFor("address", "new", (a) => a.cidr === "10.20.0.1/24");
    expect(event).toEqual({ type: "address", action: "new", netns: ns, address: row });
    const [v0] = ipJson<{ addr_info: { family: string; local: string; prefixlen: number; scope: string }[] }[]>(
      "-n",
      ns,
      "-4",
      "addr",
      "show",
      "dev",
      "v0",
    );
    expect(v0?.addr_info).toContainEqual(
      expect.objectContaining({ family: row?.family, local: "10.20.0.1", prefixlen: 24, scope: row?.scope }),
    );
  });

  it("gives a route added as route list gives it, and route add as route list shows it", async () => {
    const added = json("route", "add", "10.21.0.0/16", "via", "10.20.0.9", "dev", "v0", "-n", ns);
    expect(added.status).toBe(0);
    const listed = json("route", "list", "-4", "-n", ns).body as Record<string, unknown>[];
    const row = listed.find((r) => r.to === "10.21.0.0/16");
    expect(row).toEqual({
      to: "10.21.0.0/16",
      family: "inet",
      via: "10.20.0.9",
      dev: "v0",
      metric: null,
      table: "main",
      protocol: "boot",
      scope: "global",
      type: "unicast",
    });
    const { protocol: _, scope: _s, type: _t, ...asGiven } = row as Record<string, unknown>;
    expect(added.body).toEqual(asGiven);
    const event = await eventFor("route", "new", (r) => r.to === "10.21.0.0/16");
    expect(event).toEqual({ type: "route", action: "new", netns: ns, route: row });
    expect(ipJson("-n", ns, "-4", "route", "show", "10.21.0.0/16")).toEqual([
      expect.objectContaining({ dst: "10.21.0.0/16", gateway: "10.20.0.9", dev: "v0", protocol: "boot" }),
    ]);
    // Deleted (given by its destination alone), it is the same route: the table the kernel looked in is said.
    const deleted = json("route", "del", "10.21.0.0/16", "-n", ns);
    expect(deleted).toEqual({ status: 0, body: { ...asGiven, via: null, dev: null } });
    expect(await eventFor("route", "deleted", (r) => r.to === "10.21.0.0/16")).toEqual({
      type: "route",
      action: "deleted",
      netns: ns,
      route: row,
    });
  });

  it("gives a neighbour as ip -j neigh does, under a's names: address, mac, state", async () => {
    ip("-n", ns, "neigh", "add", "10.20.0.5", "lladdr", "02:00:00:00:00:09", "dev", "v0");
    const event = await eventFor("neighbour", "new", (n) => n.address === "10.20.0.5");
    expect(event.neighbour).toEqual({ dev: "v0", family: "inet", address: "10.20.0.5", mac: "02:00:00:00:00:09", state: ["PERMANENT"] });
    expect(ipJson("-n", ns, "neigh", "show", "dev", "v0")).toContainEqual(
      expect.objectContaining({ dst: "10.20.0.5", lladdr: "02:00:00:00:00:09", state: ["PERMANENT"] }),
    );
  });

  it("names a route's protocol and an address's scope as ip -j does, in the lists and in monitor's events", async () => {
    // Known names, one from iproute2's rt_protos file alone (99 openr), and numbers it has no name for (200, 100).
    const protocols = ["boot", "static", "zebra", "99", "200"];
    protocols.forEach((proto, i) => {
      ip("-n", ns, "route", "add", `10.30.${i}.0/24`, "dev", "v1", "proto", proto);
    });
    const scopes = ["global", "link", "host", "site", "100"];
    scopes.forEach((scope, i) => {
      ip("-n", ns, "addr", "add", `10.31.${i}.1/24`, "dev", "v1", "scope", scope);
    });
    // The routes the kernel adds for those addresses are proto kernel.
    const ipRoutes = ipJson<{ dst: string; protocol: string }[]>("-n", ns, "-4", "route", "show", "table", "all");
    const ipAddrs = ipJson<{ addr_info: { local: string; scope: string }[] }[]>("-n", ns, "-4", "addr", "show", "dev", "v1").flatMap(
      (l) => l.addr_info,
    );
    // The /24s: the kernel's local table also has a /32 for each address, which ip writes without its length.
    const made = /^10\.3[01]\.\d\.0\/24$/;
    const ours = (rows: Record<string, unknown>[], key: string, mine: (value: string) => boolean) =>
      rows.filter((r) => mine(String(r[key]))).map((r) => [r[key], r.protocol ?? r.scope]);
    const listedRoutes = json("route", "list", "-4", "-n", ns).body as Record<string, unknown>[];
    const listedAddrs = json("addr", "list", "dev", "v1", "-4", "-n", ns).body as Record<string, unknown>[];
    const fromIp = {
      routes: ipRoutes.filter((r) => made.test(r.dst)).map((r) => [r.dst, r.protocol]),
      addresses: ipAddrs.filter((a) => a.local.startsWith("10.31.")).map((a) => [a.local, a.scope]),
    };
    expect(fromIp.routes).toEqual(
      expect.arrayContaining([
        ["10.30.3.0/24", "openr"],
        ["10.30.4.0/24", "200"],
        ["10.31.0.0/24", "kernel"],
      ]),
    );
    expect(fromIp.addresses).toEqual(expect.arrayContaining([["10.31.4.1", "100"]]));
    expect({
      routes: ours(listedRoutes, "to", (to) => made.test(to)),
      addresses: ours(listedAddrs, "address", (a) => a.startsWith("10.31.")),
    }).toEqual(fromIp);
    // monitor's events name them the same way, for every one of those routes and addresses.
    for (const [to, protocol] of fromIp.routes)
      expect((await eventFor("route", "new", (r) => r.to === to)).route).toMatchObject({ protocol });
    for (const [address, scope] of fromIp.addresses)
      expect((await eventFor("address", "new", (a) => a.address === address)).address).toMatchObject({ scope });
  });

  it("names a route's table, type and scope as ip -j route does, and a host route without its /32", async () => {
    ip("-n", ns, "route", "add", "10.23.0.5/32", "dev", "v1");
    ip("-n", ns, "route", "add", "10.24.0.0/16", "dev", "v1", "table", "100");
    // Given with its /32, printed as route list (and ip) give it.
    const added = json("route", "add", "10.23.0.6/32", "dev", "v1", "table", "local", "-n", ns);
    expect(added).toEqual({
      status: 0,
      body: { to: "10.23.0.6", family: "inet", via: null, dev: "v1", metric: null, table: "local" },
    });
    type IpRoute = { dst: string; dev?: string; table?: string; protocol?: string; scope?: string; type?: string };
    // ip -j route leaves out what is the default: the main table, proto boot, scope global, type unicast.
    const fromIp = ipJson<IpRoute[]>("-n", ns, "-4", "route", "show", "table", "all").map((r) => ({
      to: r.dst,
      dev: r.dev ?? null,
      table: r.table ?? "main",
      protocol: r.protocol ?? "boot",
      scope: r.scope ?? "global",
      type: r.type ?? "unicast",
    }));
    const listed = (json("route", "list", "-4", "-n", ns).body as Record<string, unknown>[]).map(
      ({ to, dev, table, protocol, scope, type }) => ({ to, dev, table, protocol, scope, type }),
    );
    const sorted = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sorted(listed)).toEqual(sorted(fromIp));
    // What the namespace holds: host routes (the kernel's local ones too), the local table, a table ip has no name for.
    expect(listed).toContainEqual({ to: "10.23.0.5", dev: "v1", table: "main", protocol: "boot", scope: "link", type: "unicast" });
    expect(listed).toContainEqual(expect.objectContaining({ to: "10.23.0.6", table: "local" }));
    expect(listed).toContainEqual(expect.objectContaining({ to: "10.31.0.1", table: "local", type: "local", scope: "host" }));
    expect(listed).toContainEqual(expect.objectContaining({ to: "10.24.0.0/16", table: "100" }));
    const event = await eventFor("route", "new", (r) => r.to === "10.23.0.5");
    expect(event.route).toEqual(
      (json("route", "list", "-4", "-n", ns).body as Record<string, unknown>[]).find((r) => r.to === "10.23.0.5"),
    );
  });

  it("names a link's flags, group and operstate as ip -j link does, in the lists, a change and monitor's events", async () => {
    expect(json("link", "set", "v1", "group", "7", "-n", ns).body).toMatchObject({ name: "v1", group: "7" });
    // v0 stays up with its peer down: no carrier, which ip says among the flags.
    ip("-n", ns, "link", "set", "v1", "down");
    try {
      type IpLink = { ifname: string; flags: string[]; group: string; operstate: string };
      // M-DOWN is ip's note that the peer (another link) is down, not a flag of this link.
      const fromIp = () =>
        ipJson<IpLink[]>("-n", ns, "link", "show").map((l) => [l.ifname, l.flags.filter((f) => f !== "M-DOWN"), l.group, l.operstate]);
      const listed = () =>
        (json("link", "list", "-n", ns).body as Record<string, unknown>[]).map((l) => [l.name, l.flags, l.group, l.operstate]);
      // Read one after the other: compared once the kernel has settled v0's carrier.
      const agree = await until(() => JSON.stringify(listed()) === JSON.stringify(fromIp()), FAIL_AFTER_MS);
      expect({ agree, listed: listed(), fromIp: fromIp() }).toMatchObject({ agree: true });
      expect(listed()).toContainEqual(["v0", ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"], "default", "LOWERLAYERDOWN"]);
      expect(listed()).toContainEqual(["v1", ["BROADCAST", "MULTICAST"], "7", "DOWN"]);
      const v0 = (json("link", "list", "-n", ns).body as Record<string, unknown>[]).find((l) => l.name === "v0");
      expect(json("link", "show", "v0", "-n", ns).body).toEqual(v0);
      const last = () => eventsOf("link", (l) => l.name === "v0").at(-1)?.link;
      expect(await until(() => JSON.stringify(last()) === JSON.stringify(v0), FAIL_AFTER_MS)).toBe(true);
    } finally {
      ip("-n", ns, "link", "set", "v1", "up");
    }
  });

  it("gives a link changed as link list gives it", async () => {
    expect(json("link", "set", "v0", "mtu", "1400", "down", "-n", ns).status).toBe(0);
    const listed = () => (json("link", "list", "-n", ns).body as Record<string, unknown>[]).find((l) => l.name === "v0");
    // Its last event is the link as it is now (the kernel may say a change in several messages).
    const last = () => eventsOf("link", (l) => l.name === "v0").at(-1)?.link;
    const same = await until(() => JSON.stringify(last()) === JSON.stringify(listed()), FAIL_AFTER_MS);
    expect({ event: last(), list: listed(), same }).toMatchObject({ same: true });
    expect(listed()).toMatchObject({ mtu: 1400, up: false, operstate: "DOWN" });
    const [v0] = ipJson<{ ifindex: number; mtu: number; address: string; operstate: string }[]>("-n", ns, "link", "show", "v0");
    expect(last()).toMatchObject({ index: v0?.ifindex, mtu: v0?.mtu, mac: v0?.address, operstate: v0?.operstate });
  });

  it("names what went with a link deleted by the link's name, what the kernel removed unsaid too", async () => {
    ip("-n", ns, "link", "set", "v0", "up");
    expect(json("route", "add", "10.22.0.0/16", "dev", "v0", "-n", ns).status).toBe(0);
    const route = (json("route", "list", "-4", "-n", ns).body as Record<string, unknown>[]).find((r) => r.to === "10.22.0.0/16");
    const address = (json("addr", "list", "dev", "v0", "-4", "-n", ns).body as Record<string, unknown>[])[0];
    ip("-n", ns, "link", "del", "v0");
    expect(await eventFor("address", "deleted", (a) => a.cidr === "10.20.0.1/24")).toEqual({
      type: "address",
      action: "deleted",
      netns: ns,
      address,
    });
    // An IPv4 route goes with its link without a word from the kernel: found gone after the link, named by it.
    expect(await eventFor("route", "deleted", (r) => r.to === "10.22.0.0/16")).toEqual({
      type: "route",
      action: "deleted",
      netns: ns,
      route,
    });
  });
});

/** A command's stdout, run in namespace `netns` (`ip netns exec`: its caller's namespace is that one). */
function runIn(netns: string, ...argv: string[]): string {
  const r = spawnSync("ip", ["netns", "exec", netns, ...argv], { encoding: "utf8", timeout: 60_000 });
  expect({ argv, status: r.status, stderr: r.stderr.replace(/^Error: Peer netns reference is invalid\.\n/gm, "") }).toEqual({
    argv,
    status: 0,
    stderr: "",
  });
  return r.stdout;
}

/** This file's namespaces of a listing, by name. */
const ours = (listed: { name: string; id?: number }[]) =>
  listed.filter((n) => n.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));

describe("ns list --json", () => {
  it("gives each namespace as ip -j netns list does, { name, id? }: the id the caller's namespace gives it, where it has one", () => {
    const [caller, given, none] = [`${prefix}x`, `${prefix}g`, `${prefix}n`];
    for (const name of [caller, given, none]) ip("netns", "add", name);
    // Ids given in the caller's namespace (not the host's, which gives these none): one chosen, one the caller's own.
    ip("-n", caller, "netns", "set", given, "7");
    ip("-n", caller, "netns", "set", caller, "auto");
    const listed = ours(JSON.parse(runIn(caller, process.execPath, BIN, "--json", "ns", "list")));
    expect(listed).toEqual(ipNetnsJson(prefix, caller));
    expect(listed).toContainEqual({ name: given, id: 7 });
    expect(listed).toContainEqual({ name: none });
    expect(listed.find((n) => n.name === caller)?.id).toEqual(expect.any(Number));
    // From the host, as ip sees them from there: none of those ids is the host's.
    const fromHost = ours(json("ns", "list").body);
    expect(fromHost).toEqual(ipNetnsJson(prefix));
    for (const name of [caller, given, none]) expect(fromHost).toContainEqual({ name });
    // The text is the names, one a line, as before.
    expect(
      runIn(caller, process.execPath, BIN, "ns", "list")
        .split("\n")
        .filter((line) => line.startsWith(prefix)),
    ).toEqual(listed.map((n) => n.name));
  });
});
