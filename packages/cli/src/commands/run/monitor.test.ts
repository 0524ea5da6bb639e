import type { Link, WatchEvent } from "@neslink/core/lean";
import { toEventJSON } from "@neslink/core/shapes";
import { describe, expect, it } from "vitest";
import { eventLine } from "./monitor.js";

/** A line as monitor prints one: of the event as its JSON gives it. */
const line = (e: WatchEvent) => eventLine(toEventJSON(e));

const link = (up: boolean): Link => ({
  index: 3,
  name: "eth0",
  flags: up ? 0x1003 : 0x1002,
  up,
  mtu: 1500,
  mac: null,
  operstate: up ? "up" : "down",
  kind: "veth",
  masterIndex: null,
  alias: null,
  group: 0,
  linkNetnsid: 0,
  parentIndex: 2,
});

describe("monitor's lines", () => {
  it("says where, what, and each field that changed with its old and new value", () => {
    expect(
      line({ type: "link", action: "changed", netns: "lab-h2", link: link(false), previous: link(true), changed: ["up", "operstate"] }),
    ).toBe("[lab-h2] link changed eth0 DOWN state DOWN (up true -> false, operstate UP -> DOWN)");
    // Flags as ip writes them, not their number.
    expect(line({ type: "link", action: "changed", netns: "a", link: link(true), previous: link(false), changed: ["flags"] })).toBe(
      "[a] link changed eth0 UP state UP (flags BROADCAST,MULTICAST -> NO-CARRIER,BROADCAST,MULTICAST,UP)",
    );
    // A namespace's name and an alias are anyone's: a newline in one stays in its line, escaped.
    const aliased = { ...link(true), alias: "a\nforged" };
    expect(line({ type: "link", action: "changed", netns: "x\n[y]", link: aliased, previous: link(true), changed: ["alias"] })).toBe(
      "[x\\x0a[y]] link changed eth0 UP state UP (alias null -> a\\x0aforged)",
    );
    // A vxlan's options (an object: not "[object Object]"), changed across a resync's re-dump.
    const vxlan = (remote: string): Link => ({ ...link(true), kind: "vxlan", vxlan: { id: 5, remote, port: 8472 } });
    expect(
      line({ type: "link", action: "changed", netns: "a", link: vxlan("192.0.2.2"), previous: vxlan("192.0.2.1"), changed: ["vxlan"] }),
    ).toBe(
      '[a] link changed eth0 UP state UP (vxlan {"id":5,"remote":"192.0.2.1","port":8472} -> {"id":5,"remote":"192.0.2.2","port":8472})',
    );
    expect(line({ type: "resync", netns: "", reason: "overflow" })).toBe("[.] resync (overflow)");
    expect(line({ type: "nsid", action: "new", netns: "a", nsid: 4 })).toBe("[a] nsid new 4");
    // As the kernel reported them here: an ARP entry, and a bridge's own fdb entry (no IP address).
    const neighbour = {
      index: 2,
      family: 2,
      dst: "10.0.1.254",
      mac: "de:06:f9:67:48:f0",
      state: 0x02,
      flags: 0,
      type: 1,
      vlan: null,
      masterIndex: null,
    };
    expect(line({ type: "neighbour", action: "new", netns: "lab-h1", neighbour, dev: "eth0" })).toBe(
      "[lab-h1] neighbour new 10.0.1.254 lladdr de:06:f9:67:48:f0 dev eth0 REACHABLE",
    );
    // A link the stream never saw is named as the lists name one they lack.
    const fdb = { ...neighbour, family: 7, dst: null, mac: "4a:27:a9:2c:97:63", state: 0x80, type: 0, masterIndex: 2 };
    expect(line({ type: "neighbour", action: "deleted", netns: "lab-h1", neighbour: fdb, dev: null })).toBe(
      "[lab-h1] neighbour deleted - lladdr 4a:27:a9:2c:97:63 dev #2 PERMANENT",
    );
  });
});

describe("monitor's JSON (core's toEventJSON)", () => {
  it("keeps core's envelope, and gives an address, route or neighbour the shape the lists give it", () => {
    const address = { index: 3, family: 10, prefixLen: 64, address: "fd00::1", local: null, label: null, scope: 0, flags: 0x80 };
    expect(toEventJSON({ type: "address", action: "new", netns: "a", address, dev: "eth0" })).toEqual({
      type: "address",
      action: "new",
      netns: "a",
      address: { dev: "eth0", family: "inet6", address: "fd00::1", prefixLen: 64, cidr: "fd00::1/64", scope: "global" },
    });
    const route = {
      family: 2,
      dst: null,
      dstLen: 0,
      gateway: "10.0.0.1",
      oifIndex: 3,
      metric: null,
      table: 254,
      protocol: 3,
      scope: 0,
      type: 1,
    };
    expect(toEventJSON({ type: "route", action: "deleted", netns: "a", route, dev: null })).toEqual({
      type: "route",
      action: "deleted",
      netns: "a",
      route: {
        to: "default",
        family: "inet",
        via: "10.0.0.1",
        dev: "#3",
        metric: null,
        table: "main",
        protocol: "boot",
        scope: "global",
        type: "unicast",
      },
    });
    const neighbour = { index: 3, family: 2, dst: "10.0.0.1", mac: null, state: 0x21, flags: 0, type: 1, vlan: null, masterIndex: null };
    expect(toEventJSON({ type: "neighbour", action: "changed", netns: "a", neighbour, dev: "eth0" })).toEqual({
      type: "neighbour",
      action: "changed",
      netns: "a",
      neighbour: { dev: "eth0", family: "inet", address: "10.0.0.1", mac: null, state: ["INCOMPLETE", "FAILED"] },
    });
    const gone = { type: "gone", netns: "a" } as const;
    expect(toEventJSON(gone)).toBe(gone);
  });
});
