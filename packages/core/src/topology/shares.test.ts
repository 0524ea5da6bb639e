import { describe, expect, it } from "vitest";
import { shareOut } from "./shares.js";

const weights: Record<string, number> = { hub: 40, a: 10, b: 10, c: 10, d: 10, e: 10, f: 10 };
const weight = (item: string) => weights[item] ?? 10;

describe("shareOut", () => {
  it("gives a heavy item's share fewer items, so the shares weigh about the same", () => {
    const shares = shareOut(["hub", "a", "b", "c", "d", "e", "f"], weight, 2);
    expect(shares).toEqual([
      ["hub", "e"],
      ["a", "b", "c", "d", "f"],
    ]);
  });

  it("keeps every item exactly once, the heavier ones first within a share and the given order among equals", () => {
    const items = Array.from({ length: 101 }, (_, i) => `n${i}`);
    const shares = shareOut(["hub", ...items], weight, 3);
    expect(shares).toHaveLength(3);
    expect(shares.flat().sort()).toEqual(["hub", ...items].sort());
    for (const share of shares) {
      const light = share.filter((item) => item !== "hub");
      expect(light).toEqual(items.filter((item) => light.includes(item)));
      if (share.includes("hub")) expect(share[0]).toBe("hub");
    }
  });

  it("puts the lightest share first", () => {
    const shares = shareOut(["hub", "a", "b", "c"], weight, 2);
    expect(shares).toEqual([["a", "b", "c"], ["hub"]]);
  });

  it("makes no more shares than items, and one empty share for none", () => {
    expect(shareOut(["a"], weight, 4)).toEqual([["a"]]);
    expect(shareOut([], weight, 4)).toEqual([[]]);
  });

  it("splits items of equal weight evenly", () => {
    const shares = shareOut(
      Array.from({ length: 501 }, (_, i) => `n${i}`),
      () => 1,
      2,
    );
    expect(shares.map((s) => s.length).sort()).toEqual([250, 251]);
  });
});
