import { describe, expect, it } from "vitest";
import { Owners } from "./owners.js";

describe("Owners", () => {
  it("remembers each namespace's worker until deleted", () => {
    const owners = new Owners(10);
    owners.set("4:1", 0);
    owners.set("4:2", 1);
    expect([owners.get("4:1"), owners.get("4:2"), owners.get("4:3")]).toEqual([0, 1, undefined]);
    owners.delete(["4:1"]);
    expect(owners.get("4:1")).toBeUndefined();
  });

  it("forgets the least recently set beyond its bound", () => {
    const owners = new Owners(2);
    owners.set("a", 0);
    owners.set("b", 1);
    owners.set("a", 0);
    owners.set("c", 1);
    expect([owners.get("a"), owners.get("b"), owners.get("c")]).toEqual([0, undefined, 1]);
  });
});
