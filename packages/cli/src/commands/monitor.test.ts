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
    expect(eventLine({ type: "resync", ns: "", reason: "overflow" })).toBe("[.] resync (overflow)");
    expect(eventLine({ type: "nsid", action: "new", ns: "a", nsid: 4 })).toBe("[a] nsid new 4");
  });
});
