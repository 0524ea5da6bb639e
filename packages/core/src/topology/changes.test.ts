import { describe, expect, it } from "vitest";
import { type Change, describeChange } from "./changes.js";

const update = (set: Record<string, unknown>, from: Record<string, unknown>) =>
  ({ op: "update", kind: "link", node: "h1", netns: "lab-h1", name: "eth0", set, from }) as Change;

describe("describeChange of a link's fields", () => {
  it("gives a live link's old value, and none for a link the same apply creates (not null)", () => {
    expect(describeChange(update({ up: true, mtu: 9000 }, { up: false, mtu: 1500 }))).toBe(
      "~ link h1:eth0 (up false -> true, mtu 1500 -> 9000)",
    );
    expect(describeChange(update({ master: "br0" }, { master: null }))).toBe('~ link h1:eth0 (master null -> "br0")');
    // link-plan's `from` for a link not there yet: its fields are undefined.
    expect(describeChange(update({ up: true }, { up: undefined }))).toBe("~ link h1:eth0 (up true)");
  });
});
