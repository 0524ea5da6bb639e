/**
 * What the built bin says when the kernel refuses for a reason core has a
 * code for: a route or address to delete that is not there, a link name
 * taken. Exit status 1, `neslink: CODE: message` naming what was missing or
 * taken (not the raw errno), the same error under --json with the kernel's
 * own as the cause, and `ip -j` shows nothing changed.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { asNobody, json, neslink } from "./run.js";

const prefix = uniquePrefix("rc");
const ns = `${prefix}a`;
const ip = (...args: string[]) => execFileSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
const ipJson = (...args: string[]) => JSON.parse(ip("-j", ...args));

/** The namespace as a failed command must leave it: its links with their addresses, its routes. */
const state = () => ({
  links: ipJson("addr", "show").map((l: { ifname: string; addr_info: { local: string; prefixlen: number; scope: string }[] }) => ({
    name: l.ifname,
    addrs: l.addr_info.filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`),
  })),
  routes: ipJson("route", "show", "table", "all").filter((r: { dst: string }) => !r.dst.startsWith("fe80:")),
});

beforeAll(() => {
  execFileSync("ip", ["netns", "add", ns]);
  ip("link", "add", "br0", "type", "bridge");
  ip("link", "set", "br0", "up");
  ip("addr", "add", "10.63.0.1/24", "dev", "br0");
  ip("route", "add", "10.64.0.0/24", "dev", "br0");
  ip("link", "add", "v0", "type", "veth", "peer", "name", "v0p");
});

afterAll(() => cleanup(prefix));

/** Runs a command that must be refused: its stderr line, and its --json error; nothing changed either time. */
function refused(...args: string[]): { stderr: string; error: Record<string, unknown> } {
  const before = state();
  const r = neslink(...args, "-n", ns);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
  expect(state()).toEqual(before);
  const { status, body } = json(...args, "-n", ns);
  expect(status).toBe(1);
  expect(state()).toEqual(before);
  return { stderr: r.stderr, error: body.error };
}

describe("deleting what is not there", () => {
  it("route del: ERR_IP_ROUTE_NOT_FOUND naming the route, the kernel's ESRCH as its cause", () => {
    const { stderr, error } = refused("route", "del", "10.9.9.0/24");
    expect(stderr).toBe("neslink: ERR_IP_ROUTE_NOT_FOUND: no route 10.9.9.0/24 to delete (delRoute)\n");
    expect(error).toMatchObject({
      name: "ActionError",
      code: "ERR_IP_ROUTE_NOT_FOUND",
      action: "delRoute",
      cause: { name: "NotFoundError", code: "ERR_IP_ROUTE_NOT_FOUND", cause: { name: "NetlinkError", code: "ESRCH", errno: 3 } },
    });
    // One that is there, narrowed to what it is not: the route stays.
    expect(refused("route", "del", "10.64.0.0/24", "dev", "v0").stderr).toBe(
      "neslink: ERR_IP_ROUTE_NOT_FOUND: no route 10.64.0.0/24 dev v0 to delete (delRoute)\n",
    );
  });

  it("addr del: ERR_ADDR_NOT_FOUND naming the address and the link, the kernel's EADDRNOTAVAIL as its cause", () => {
    const { stderr, error } = refused("addr", "del", "10.63.0.9/24", "dev", "br0");
    expect(stderr).toBe('neslink: ERR_ADDR_NOT_FOUND: no address 10.63.0.9/24 on the link with name "br0" (delAddr)\n');
    expect(error).toMatchObject({
      code: "ERR_ADDR_NOT_FOUND",
      cause: { name: "NotFoundError", cause: { name: "NetlinkError", code: "EADDRNOTAVAIL", errno: 99 } },
    });
  });

  it("link del: ERR_LINK_NOT_FOUND naming the link", () => {
    expect(refused("link", "del", "nope0").stderr).toBe(
      'neslink: ERR_LINK_NOT_FOUND: no link with name "nope0" (link provider (name "nope0"))\n',
    );
  });
});

describe("a link name taken", () => {
  const exists = (name: string) => ({
    code: "ERR_LINK_EXISTS",
    cause: { name: "AlreadyExistsError", message: `a link named "${name}" already exists`, cause: { name: "NetlinkError", errno: 17 } },
  });

  it("link add: ERR_LINK_EXISTS naming the name taken, the link's own or its veth peer's", () => {
    const own = refused("link", "add", "bridge", "v0");
    expect(own.stderr).toBe('neslink: ERR_LINK_EXISTS: a link named "v0" already exists (link provider (new bridge "v0"))\n');
    expect(own.error).toMatchObject(exists("v0"));
    const peer = refused("link", "add", "veth", "v1", "peer", "br0");
    expect(peer.stderr).toBe('neslink: ERR_LINK_EXISTS: a link named "br0" already exists (link provider (new veth "v1"))\n');
    expect(peer.error).toMatchObject(exists("br0"));
  });

  it("link add veth NAME peer NAME: a usage error (exit 2) naming the field, before the kernel is asked", () => {
    const before = state();
    const r = neslink("link", "add", "veth", "v1", "peer", "v1", "-n", ns);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("neslink: ERR_INVALID_ARGUMENT: veth.peer.name: is the veth's own name, in the same namespace");
    expect(state()).toEqual(before);
  });

  it("addr add of an address the kernel would take and keep nothing of (0.0.0.0/N), or refuse (::, ff02::1): a usage error, not 'added'", () => {
    const before = state();
    for (const [cidr, why] of [
      ["0.0.0.0/8", "0.0.0.0 is the unspecified address, not an interface's (the kernel takes it and keeps nothing)"],
      ["::/64", ":: is the unspecified address, not an interface's (the kernel refuses it)"],
      ["ff02::1/64", "ff02::1 is an IPv6 multicast address, which the kernel refuses on an interface"],
    ] as const) {
      const r = neslink("addr", "add", cidr, "dev", "br0", "-n", ns);
      expect({ status: r.status, stdout: r.stdout, line: r.stderr.split("\n")[0] }).toEqual({
        status: 2,
        stdout: "",
        line: `neslink: ERR_INVALID_ARGUMENT: address: ${why}`,
      });
    }
    expect(state()).toEqual(before);
  });

  it("link set NAME name TAKEN: ERR_LINK_EXISTS; the link keeps its name", () => {
    const { stderr, error } = refused("link", "set", "v0", "name", "br0");
    expect(stderr).toBe('neslink: ERR_LINK_EXISTS: a link named "br0" already exists (set)\n');
    expect(error).toMatchObject(exists("br0"));
  });
});

describe("refused for want of root", () => {
  it("says, after the kernel's refusal, to run neslink as root; a root user's other errors get no such line", () => {
    const hint = "neslink: namespaces, links and labs need root (CAP_SYS_ADMIN, CAP_NET_ADMIN): run it with sudo.\n";
    for (const args of [
      ["ns", "add", `${prefix}u`],
      ["link", "add", "bridge", "brx", "-n", ns],
      ["destroy", `${prefix}lab`],
    ]) {
      const r = asNobody(...args);
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 1, stdout: "" });
      expect(r.stderr).toMatch(/^neslink: (EPERM|EACCES): /);
      expect(r.stderr.endsWith(hint)).toBe(true);
    }
    expect(execFileSync("ls", ["/run/netns"], { encoding: "utf8" }).split("\n")).not.toContain(`${prefix}u`);
    expect(ipJson("link", "show").map((l: { ifname: string }) => l.ifname)).not.toContain("brx");
    // --json keeps its one document; root, refused for something else, gets no hint.
    expect(JSON.parse(asNobody("--json", "ns", "add", `${prefix}u`).stdout).error.code).toBe("EPERM");
    expect(neslink("link", "del", "nosuch", "-n", ns).stderr).not.toContain("sudo");
  });
});
