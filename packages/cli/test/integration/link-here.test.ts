// `neslink link add` and `link del` with -n as a user runs them: a bridge or
// ifb made, and a link deleted, from the CLI's own thread (core names the
// namespace by nsid: no worker starts), with what iproute2 then sees there;
// a veth and a change still go through a worker. Names of the caller's own
// namespace are never the target's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { PROBED, probed } from "./run.js";

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

describe("neslink link add / link del -n NS without a worker (built bin)", () => {
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
          code: "EEXIST",
          actionIndex: -1,
          message: `netlink RTM_NEWLINK (bridge) failed: EEXIST (link provider (new bridge "${bridge}"))`,
          cause: { name: "NetlinkError", errno: 17 },
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

  it("keeps the worker for a veth (its peer is made in the caller's namespace) and for changes (the kernel would move the caller's link)", () => {
    const veth = probed("link", "add", "veth", `${prefix}v0`, "peer", `${prefix}v1`, "-n", nsName);
    expect(veth).toMatchObject({ status: 0, stderr: PROBED });
    expect(shown(`${prefix}v1`)?.ifname).toBe(`${prefix}v1`);
    const set = probed("link", "set", bridge, "down", "-n", nsName);
    expect(set).toMatchObject({ status: 0, stderr: PROBED, body: { name: bridge, up: false } });
    expect(shown(bridge)?.flags).not.toContain("UP");
  });
});
