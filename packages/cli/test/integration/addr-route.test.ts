/** `addr` and `link add` keywords as iproute2 users type them, checked with `ip -j`. */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const prefix = uniquePrefix("ar");
const ns = `${prefix}a`;
const ipJson = (...args: string[]) => JSON.parse(execFileSync("ip", ["-n", ns, "-j", ...args], { encoding: "utf8" }));

beforeAll(() => {
  execFileSync("ip", ["netns", "add", ns]);
  execFileSync("ip", ["-n", ns, "link", "add", "br0", "type", "bridge"]);
  // No IPv6 link-local address: the kernel adds it, and its local route, some time after br0 comes up, so two
  // listings made a moment apart could differ by it.
  execFileSync("ip", ["-n", ns, "link", "set", "br0", "addrgenmode", "none"]);
  execFileSync("ip", ["-n", ns, "addr", "add", "10.7.0.1/24", "dev", "br0"]);
});

afterAll(() => cleanup(prefix));

describe("addr list dev NAME", () => {
  it("lists that link's addresses", () => {
    const { status, body } = json("addr", "list", "dev", "br0", "-4", "-n", ns);
    expect(status).toBe(0);
    expect(body.map((a: { cidr: string }) => a.cidr)).toEqual(
      ipJson("-4", "addr", "show", "dev", "br0")[0].addr_info.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`),
    );
  });

  it("is ERR_LINK_NOT_FOUND (exit 1) for a link that is not there, as `ip addr show dev NAME` fails, not an empty list", () => {
    const r = neslink("addr", "list", "dev", "nope0", "-n", ns);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
    expect(r.stderr).toBe('neslink: ERR_LINK_NOT_FOUND: no link with name "nope0"\n');
    expect(json("addr", "list", "dev", "nope0", "-n", ns)).toMatchObject({ status: 1, body: { error: { code: "ERR_LINK_NOT_FOUND" } } });
  });
});

describe("link add vxlan", () => {
  // `group` is also every kind's IFLA_GROUP keyword (`group N`); for a vxlan it is the multicast group, as after
  // `type vxlan` in ip (it was taken as the link group: a usage error, exit 2).
  it("link add vxlan NAME id VNI group IP makes a vxlan on that multicast group", () => {
    const r = neslink("link", "add", "vxlan", "vx1", "id", "43", "group", "239.1.1.1", "dev", "br0", "-n", ns);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const [vx] = ipJson("-d", "link", "show", "vx1");
    // `dev` is its underlay: IFLA_VXLAN_LINK (the kernel ignored the IFLA_LINK it was sent as, and refused the group without one).
    expect(vx.linkinfo.info_data).toMatchObject({ id: 43, group: "239.1.1.1", link: "br0" });
  });
});

describe("route add|del with -4 or -6", () => {
  // ip refuses `ip -6 route del 10.0.0.0/8` ("inet6 prefix is expected"); the flag was ignored for a CIDR, so an
  // IPv6 delete removed the IPv4 route.
  it("is a usage error (exit 2) naming family when the destination is of the other family, and changes nothing", () => {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    execFileSync("ip", ["-n", ns, "route", "add", "10.71.0.0/16", "dev", "lo"]);
    const routes = () => ipJson("route", "show").map((r: { dst: string }) => r.dst);
    const before = routes();
    expect(before).toContain("10.71.0.0/16");
    for (const args of [
      ["del", "10.71.0.0/16", "-6"],
      ["add", "10.72.0.0/16", "dev", "lo", "-6"],
      ["replace", "10.71.0.0/16", "dev", "lo", "-6"],
      ["del", "2001:db8::/64", "-4"],
    ]) {
      const r = neslink("route", ...args, "-n", ns);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 2, stdout: "" });
      expect(r.stderr).toMatch(/^neslink: ERR_INVALID_ARGUMENT: family: /);
    }
    expect(routes()).toEqual(before);
    // The flag agreeing with the destination is fine.
    expect(neslink("route", "del", "10.71.0.0/16", "-4", "-n", ns).status).toBe(0);
    expect(routes()).not.toContain("10.71.0.0/16");
  });
});

describe("route list table ID|main|local|all", () => {
  it("lists one table's routes as `ip route show table X` does; names as iproute2's; every table without one", () => {
    // A device route needs its device up (br0 has no port: up, operstate down); its connected route lands in main.
    execFileSync("ip", ["-n", ns, "link", "set", "br0", "up"]);
    execFileSync("ip", ["-n", ns, "route", "add", "10.72.0.0/16", "dev", "br0", "table", "72"]);
    execFileSync("ip", ["-n", ns, "-6", "route", "add", "2001:db8:72::/64", "dev", "br0", "table", "72"]);
    const listed = (...args: string[]) => {
      const r = json("route", "list", ...args, "-n", ns);
      expect(r.status).toBe(0);
      return (r.body as { to: string; table: string }[]).map((x) => `${x.to} ${x.table}`).sort();
    };
    // Each route's destination and table as ip -j names them (a host route's dst without its /32, table "main").
    const shown = (family: string, table: string) =>
      ipJson(family, "route", "show", "table", table)
        .map((r: { dst: string }) => `${r.dst} ${table}`)
        .sort();
    expect(listed("table", "72")).toEqual([...shown("-4", "72"), ...shown("-6", "72")].sort());
    expect(listed("table", "72", "-4")).toEqual(["10.72.0.0/16 72"]);
    expect(listed("table", "local", "-4")).toEqual(shown("-4", "local"));
    expect(listed("table", "local", "-4").some((r) => !r.split(" ")[0]?.includes("/"))).toBe(true);
    expect(listed("table", "main", "-4")).toEqual(["10.7.0.0/24 main"]);
    expect(listed("table", "9999")).toEqual([]);
    expect(listed("table", "all")).toEqual(listed());
    expect(listed()).toContain("10.72.0.0/16 72");

    // route add/del take the names too.
    expect(neslink("route", "add", "10.73.0.0/16", "dev", "br0", "table", "main", "-n", ns).status).toBe(0);
    expect(ipJson("route", "show", "table", "main").map((r: { dst: string }) => r.dst)).toContain("10.73.0.0/16");
    expect(neslink("route", "del", "10.73.0.0/16", "table", "main", "-n", ns).status).toBe(0);
    expect(ipJson("route", "show", "table", "main").map((r: { dst: string }) => r.dst)).not.toContain("10.73.0.0/16");
  });

  it("refuses a table that is neither an id nor a name, or none, as a usage error naming `table`", () => {
    // 0x10 is a table id (hexadecimal, as iproute2 reads it); 0x1g and 1e3 are not.
    for (const args of [["table", "bogus"], ["table"], ["table", "0x1g"], ["table", "1e3"]]) {
      const r = neslink("route", "list", ...args, "-n", ns);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 2, stdout: "" });
      expect(r.stderr).toMatch(/^neslink: ERR_INVALID_ARGUMENT: table: /);
    }
  });
});
