import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DescriptorBits } from "./descriptors.js";

describe("DescriptorBits", () => {
  it("lists what was added and not deleted, once, across word boundaries and bit 31", () => {
    const buffer = DescriptorBits.allocate();
    const worker = new DescriptorBits(buffer);
    for (const fd of [0, 3, 31, 32, 63, 64, 1000]) worker.add(fd);
    worker.delete(3);
    worker.delete(64);
    // The pool reads the same memory.
    const pool = new DescriptorBits(buffer);
    expect([...pool.drain()]).toEqual([0, 31, 32, 63, 1000]);
    expect([...pool.drain()]).toEqual([]);
  });

  it("has room for every descriptor number the process may open", () => {
    const hard = /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    expect(DescriptorBits.allocate().byteLength * 8).toBeGreaterThanOrEqual(Math.min(Number(hard ?? 0), 1 << 20));
  });
});
