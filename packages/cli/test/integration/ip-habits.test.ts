/** An ip user's habits from the built bin: a group alone lists, and ip's abbreviations mean what they mean to ip. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink, neslinkWith } from "./run.js";

const prefix = uniquePrefix("ih");
const ns = `${prefix}a`;

beforeAll(() => {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "add", "br0", "type", "bridge");
});
afterAll(() => cleanup(prefix));

type IpLink = { ifname: string; flags: string[] };
const ipLinks = () => ipJson<IpLink[]>("-n", ns, "link", "show");
const ipAddrs = () =>
  ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", ns, "addr", "show", "dev", "br0")[0]?.addr_info.map(
    (a) => `${a.local}/${a.prefixlen}`,
  );

describe("a group alone, as `ip link`", () => {
  it("neslink -n NS link is neslink link list -n NS: the same output, --json document and status", () => {
    const bare = neslink("-n", ns, "link");
    expect(bare).toEqual(neslink("link", "list", "-n", ns));
    expect(bare.status).toBe(0);
    const listed = json("-n", ns, "link");
    expect(listed).toEqual(json("link", "list", "-n", ns));
    expect((listed.body as { name: string }[]).map((l) => l.name)).toEqual(ipLinks().map((l) => l.ifname));
    // A failure is the list command's failure too: the same error, the same status.
    expect(neslink("-n", `${prefix}none`, "link")).toEqual(neslink("link", "list", "-n", `${prefix}none`));
    expect(neslink("-n", `${prefix}none`, "link").status).toBe(1);
  });

  it("the other groups list too, and --help is still the group's", () => {
    expect(json("-n", ns, "addr")).toEqual(json("addr", "list", "-n", ns));
    expect(json("-n", ns, "route")).toEqual(json("route", "list", "-n", ns));
    expect((json("netns").body as { name: string }[]).map((e) => e.name)).toContain(ns);
    expect(neslink("ns")).toEqual(neslink("ns", "list"));
    const help = neslink("link", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: neslink link \[<subcommand>\]/);
    expect(help.stdout).toContain("link set NAME");
  });
});

describe("ip's abbreviations, resolved as ip resolves them", () => {
  it("l s, a a, r a, ro sh, r d, a d change and list what ip's same words would", () => {
    expect(neslink("-n", ns, "l", "s", "br0", "up").status).toBe(0);
    expect(ipLinks().find((l) => l.ifname === "br0")?.flags).toContain("UP");
    expect(neslink("-n", ns, "a", "a", "10.41.0.1/24", "dev", "br0").status).toBe(0);
    expect(ipAddrs()).toContain("10.41.0.1/24");
    expect(json("-n", ns, "a", "s", "br0", "-4").body).toEqual(json("addr", "list", "dev", "br0", "-4", "-n", ns).body);
    expect(neslink("-n", ns, "r", "a", "10.42.0.0/16", "via", "10.41.0.2").status).toBe(0);
    const shown = json("-n", ns, "ro", "sh", "-4");
    expect(shown).toEqual(json("route", "list", "-4", "-n", ns));
    expect((shown.body as { to: string }[]).map((r) => r.to)).toContain("10.42.0.0/16");
    expect(ipJson<{ dst: string }[]>("-n", ns, "route", "show").map((r) => r.dst)).toContain("10.42.0.0/16");
    expect(neslink("-n", ns, "r", "d", "10.42.0.0/16").status).toBe(0);
    expect(ipJson<{ dst: string }[]>("-n", ns, "route", "show").map((r) => r.dst)).not.toContain("10.42.0.0/16");
    expect(neslink("-n", ns, "a", "d", "10.41.0.1/24", "dev", "br0").status).toBe(0);
    expect(ipAddrs()).not.toContain("10.41.0.1/24");
    expect(json("-n", ns, "link", "sh", "br0")).toMatchObject({ status: 0, body: { name: "br0", up: true } });
  });

  it("net e runs the program with its own options (ip netns exec), and n (ip's neigh) is unknown", () => {
    const r = neslink("net", "e", ns, "ip", "-br", "link", "show", "br0");
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toMatch(/^br0\s/);
    const n = neslink("-n", ns, "n");
    expect(n.status).toBe(2);
    expect(n.stderr).toContain(`unknown command "n" ("n" is ip's "neighbor", which neslink does not have)`);
  });

  it("the shell reads the same words on its lines", () => {
    const r = neslinkWith([`l s br0 down -n ${ns}`, `-n ${ns} link`].join("\n"), "shell", "--json");
    expect(r.status).toBe(0);
    const [set, listed] = r.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(set).toMatchObject({ name: "br0", up: false });
    expect(listed.map((l: { name: string }) => l.name)).toEqual(ipLinks().map((l) => l.ifname));
    expect(ipLinks().find((l) => l.ifname === "br0")?.flags).not.toContain("UP");
  });
});

describe("a negative number typed as a value", () => {
  it("is the keyword's mistake (mtu -5: a whole number), not an unknown option -5; alias -5 is set, as ip sets it", () => {
    for (const [args, message] of [
      [["link", "set", "br0", "mtu", "-5"], 'mtu: must be a whole number, not "-5"'],
      [["link", "add", "bridge", `${prefix}b`, "mtu", "-1"], 'mtu: must be a whole number, not "-1"'],
      [["route", "add", "default", "dev", "br0", "metric", "-1"], 'metric: must be a whole number, not "-1"'],
    ] as const) {
      const r = neslink("-n", ns, ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`neslink: ERR_INVALID_ARGUMENT: ${message}`);
    }
    expect(ipLinks().map((l) => l.ifname)).not.toContain(`${prefix}b`);
    expect(neslink("-n", ns, "link", "set", "br0", "alias", "-5").status).toBe(0);
    expect(ipJson<{ ifalias?: string }[]>("-n", ns, "link", "show", "br0")[0]?.ifalias).toBe("-5");
  });
});
