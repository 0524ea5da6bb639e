import { describe, expect, it } from "vitest";
import { LruMap } from "./lru-map.js";

describe("LruMap", () => {
  it("drops and returns the least recently used entry beyond its bound", () => {
    const map = new LruMap<string, number>(2);
    expect(map.set("a", 1)).toBeUndefined();
    expect(map.set("b", 2)).toBeUndefined();
    expect(map.get("a")).toBe(1);
    expect(map.set("c", 3)).toEqual(["b", 2]);
    expect([...map.entries()]).toEqual([
      ["a", 1],
      ["c", 3],
    ]);
  });

  it("peeks without changing the order", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.peek("a")).toBe(1);
    expect(map.set("c", 3)).toEqual(["a", 1]);
  });

  it("deletes, returning the value", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    expect(map.delete("a")).toBe(1);
    expect(map.delete("a")).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it("refuses a bound below one", () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
