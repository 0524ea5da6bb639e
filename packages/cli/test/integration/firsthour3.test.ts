/** A lab engineer's first hour with the built bin, third pass: what an iproute2 and containerlab user does first. */
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const prefix = uniquePrefix("f3");
afterAll(() => cleanup(prefix));

type IpLink = { ifname: string; flags: string[]; link_type: string; linkinfo?: { info_kind: string } };
const linksOf = (netns: string) => ipJson<IpLink[]>("-n", netns, "-d", "link", "show");

describe("the ip commands typed by habit", () => {
  it("netns, `link add NAME type veth peer name X`, `link set dev X up`, `address show`, `route show`, `link delete dev X`", () => {
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    expect(neslink("netns", "add", a).status).toBe(0);
    expect(neslink("ns", "add", b).status).toBe(0);
    expect(json("netns", "list").body).toEqual(expect.arrayContaining([a, b]));

    const made = json("link", "add", "v0", "type", "veth", "peer", "name", "eth0", "netns", b, "-n", a);
    expect(made).toMatchObject({ status: 0, body: { name: "v0", kind: "veth" } });
    expect(linksOf(a).find((l) => l.ifname === "v0")?.linkinfo?.info_kind).toBe("veth");
    expect(linksOf(b).map((l) => l.ifname)).toEqual(["lo", "eth0"]);

    expect(neslink("link", "set", "dev", "v0", "up", "-n", a).status).toBe(0);
    expect(neslink("link", "set", "dev", "eth0", "up", "-n", b).status).toBe(0);
    expect(linksOf(a).find((l) => l.ifname === "v0")?.flags).toContain("UP");
    expect(neslink("address", "add", "10.77.0.1/24", "dev", "v0", "-n", a).status).toBe(0);
    expect(json("address", "show", "dev", "v0", "-4", "-n", a).body).toEqual([expect.objectContaining({ cidr: "10.77.0.1/24" })]);
    expect(neslink("addr", "add", "10.77.0.2/24", "dev", "eth0", "-n", b).status).toBe(0);
    expect(neslink("route", "add", "default", "via", "10.77.0.1", "-n", b).status).toBe(0);
    expect(json("route", "show", "table", "main", "-n", b).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ to: "default", via: "10.77.0.1" })]),
    );
    expect(json("link", "show", "-n", b).body.map((l: { name: string }) => l.name)).toEqual(["lo", "eth0"]);

    expect(neslink("link", "delete", "dev", "v0", "-n", a).status).toBe(0);
    expect(linksOf(a).map((l) => l.ifname)).toEqual(["lo"]);
    expect(linksOf(b).map((l) => l.ifname)).toEqual(["lo"]);
    expect(neslink("netns", "delete", b).status).toBe(0);
    expect(ipJson<{ name: string }[]>("netns", "list").map((n) => n.name)).not.toContain(b);
  });
});
