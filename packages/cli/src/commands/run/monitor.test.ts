import type { Link } from "@neslink/core/lean";
import { describe, expect, it } from "vitest";
import { eventLine } from "./monitor.js";

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
      eventLine({ type: "link", action: "changed", ns: "lab-h2", link: link(false), previous: link(true), changed: ["up", "operstate"] }),
    ).toBe("[lab-h2] link changed eth0 DOWN down (up true -> false, operstate up -> down)");
    // A namespace's name and an alias are anyone's: a newline in one stays in its line, escaped.
    const aliased = { ...link(true), alias: "a\nforged" };
    expect(eventLine({ type: "link", action: "changed", ns: "x\n[y]", link: aliased, previous: link(true), changed: ["alias"] })).toBe(
      "[x\\x0a[y]] link changed eth0 UP up (alias null -> a\\x0aforged)",
    );
    expect(eventLine({ type: "resync", ns: "", reason: "overflow" })).toBe("[.] resync (overflow)");
    expect(eventLine({ type: "nsid", action: "new", ns: "a", nsid: 4 })).toBe("[a] nsid new 4");
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
    expect(eventLine({ type: "neighbour", action: "new", ns: "lab-h1", neighbour })).toBe(
      "[lab-h1] neighbour new 10.0.1.254 lladdr de:06:f9:67:48:f0 on #2 REACHABLE",
    );
    const fdb = { ...neighbour, family: 7, dst: null, mac: "4a:27:a9:2c:97:63", state: 0x80, type: 0, masterIndex: 2 };
    expect(eventLine({ type: "neighbour", action: "deleted", ns: "lab-h1", neighbour: fdb })).toBe(
      "[lab-h1] neighbour deleted - lladdr 4a:27:a9:2c:97:63 on #2 PERMANENT",
    );
  });
});
