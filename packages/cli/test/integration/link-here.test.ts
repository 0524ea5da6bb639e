// `neslink link`, `addr` and `route` with -n as a user runs them, as root:
// from the CLI's own thread, on a socket core opens inside the namespace (no
// worker starts), with what iproute2 then sees there, moving a link to
// another namespace included. Names of the caller's own namespace are never
// the target's. (Without CAP_SYS_ADMIN, core aims by nsid instead: core's
// link-here.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { probed } from "./run.js";

const prefix = uniquePrefix("ch");
const nsName = `${prefix}a`;
const bridge = `${prefix}br`;
const ifb = `${prefix}i`;
/** A link of the caller's (root) namespace only. */
const hostOnly = `${prefix}h`;

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  master?: string;
  linkinfo?: { info_kind?: string };
}

const shown = (name: string) => ipJson<IpLink[]>("-n", nsName, "link", "show").find((l) => l.ifname === name);

beforeAll(() => {
  ip("netns", "add", nsName);
  ip("link", "add", hostOnly, "type", "ifb");
});

afterAll(() => cleanup(prefix));

describe("neslink link / addr / route -n NS without a worker (built bin)", () => {
  it("adds a bridge and an ifb on it, as iproute2 then sees them, with no worker thread", () => {
    const added = probed("link", "add", "bridge", bridge, "mtu", "1400", "up", "-n", nsName);
    expect(added).toMatchObject({ status: 0, stderr: "" });
    const seen = shown(bridge);
    expect(added.body).toMatchObject({ index: seen?.ifindex, name: bridge, kind: "bridge", mtu: 1400, up: true });
    expect(seen?.linkinfo?.info_kind).toBe("bridge");
    expect(seen?.flags).toContain("UP");

    const port = probed("link", "add", "ifb", ifb, "master", bridge, "-n", nsName);
    expect(port).toMatchObject({ status: 0, stderr: "", body: { name: ifb, kind: "ifb", masterIndex: seen?.ifindex } });
    expect(shown(ifb)?.master).toBe(bridge);
  });

  it("fails as through a worker: a name taken, a missing master; nothing made", () => {
    // --json puts the error on stdout; stderr stays empty: no worker started.
    expect(probed("link", "add", "bridge", bridge, "-n", nsName)).toMatchObject({
      status: 1,
      stderr: "",
      body: {
        error: {
          name: "ActionError",
          code: "ERR_LINK_EXISTS",
          actionIndex: -1,
          message: `a link named "${bridge}" already exists (link provider (new bridge "${bridge}"))`,
          cause: { name: "AlreadyExistsError", cause: { name: "NetlinkError", errno: 17 } },
        },
      },
    });
    const orphan = probed("link", "add", "ifb", `${prefix}o`, "master", hostOnly, "-n", nsName);
    expect(orphan).toMatchObject({
      status: 1,
      stderr: "",
      body: { error: { code: "ERR_LINK_NOT_FOUND", message: `no link with name "${hostOnly}" (link provider (new ifb "${prefix}o"))` } },
    });
    expect(shown(`${prefix}o`)).toBeUndefined();
  });

  it("deletes a link of the namespace, never the caller's of the same name", () => {
    const before = shown(ifb);
    const deleted = probed("link", "del", ifb, "-n", nsName);
    expect(deleted).toMatchObject({ status: 0, stderr: "", body: { name: ifb, index: before?.ifindex } });
    expect(shown(ifb)).toBeUndefined();

    const missing = probed("link", "del", hostOnly, "-n", nsName);
    expect(missing).toMatchObject({
      status: 1,
      stderr: "",
      body: { error: { code: "ERR_LINK_NOT_FOUND", message: `no link with name "${hostOnly}" (link provider (name "${hostOnly}"))` } },
    });
    expect(ipJson<IpLink[]>("link", "show", "dev", hostOnly)).toHaveLength(1);
  });

  it("makes a veth whose peer goes to another namespace, changes it, gives it an address and a route, all without a worker", () => {
    const other = `${prefix}b`;
    ip("netns", "add", other);
    const run = (...args: string[]) => {
      const r = probed(...args);
      expect(r, args.join(" ")).toMatchObject({ status: 0, stderr: "" });
      return r.body;
    };
    run("link", "add", "veth", `${prefix}v0`, "peer", `${prefix}v1`, "netns", other, "-n", nsName);
    expect(shown(`${prefix}v0`)?.linkinfo?.info_kind).toBe("veth");
    expect(ipJson<IpLink[]>("-n", other, "link", "show").some((l) => l.ifname === `${prefix}v1`)).toBe(true);
    expect(run("link", "set", `${prefix}v0`, "up", "mtu", "1400", "master", bridge, "-n", nsName)).toMatchObject({
      name: `${prefix}v0`,
      mtu: 1400,
    });
    expect(shown(`${prefix}v0`)).toMatchObject({ mtu: 1400, master: bridge });
    run("link", "set", bridge, "up", "-n", nsName);
    run("addr", "add", "10.63.0.1/24", "dev", bridge, "-n", nsName);
    run("route", "add", "10.64.0.0/16", "dev", bridge, "metric", "9", "-n", nsName);
    const routes = ipJson<{ dst: string; dev: string; metric?: number }[]>("-n", nsName, "route", "show");
    expect(routes.find((r) => r.dst === "10.64.0.0/16")).toMatchObject({ dev: bridge, metric: 9 });
    const listed = run("route", "list", "-4", "-n", nsName) as { to: string; dev: string }[];
    expect(listed.find((r) => r.to === "10.64.0.0/16")).toMatchObject({ dev: bridge });
    // As `ip route del`: the destination alone finds it.
    run("route", "del", "10.64.0.0/16", "-n", nsName);
    expect(ipJson<{ dst: string }[]>("-n", nsName, "route", "show").some((r) => r.dst === "10.64.0.0/16")).toBe(false);
    run("addr", "del", "10.63.0.1/24", "dev", bridge, "-n", nsName);
    expect(ipJson<{ addr_info: unknown[] }[]>("-n", nsName, "-4", "addr", "show", "dev", bridge)[0]?.addr_info ?? []).toEqual([]);
    expect(run("link", "show", `${prefix}v0`, "-n", nsName)).toMatchObject({ name: `${prefix}v0`, up: true });
    // Moved, from a socket opened in each namespace in turn: no worker either. Its peer is there too (no link-netnsid).
    expect(run("link", "set", `${prefix}v0`, "netns", other, "-n", nsName)).toMatchObject({
      name: `${prefix}v0`,
      linkNetnsid: null,
    });
    expect(ipJson<IpLink[]>("-n", other, "link", "show").some((l) => l.ifname === `${prefix}v0`)).toBe(true);
    expect(shown(`${prefix}v0`)).toBeUndefined();
    expect(ipJson<IpLink[]>("link", "show").some((l) => l.ifname.startsWith(`${prefix}v`))).toBe(false);
  });
});
