import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { readRegularFile } from "./regular.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-regular-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readRegularFile", () => {
  it("a file whose size fstat says is 0 but has content (procfs): read to its end, not taken for empty", () => {
    expect(readRegularFile("file", "/proc/self/status", { maxBytes: 1 << 20 }).toString()).toMatch(/^Name:/);
    expect(() => readRegularFile("file", "/proc/self/status", { maxBytes: 10 })).toThrow("file: /proc/self/status is larger than 10 bytes");
  });

  it("an empty file is empty; a sized one is read whole, or refused past maxBytes", () => {
    writeFileSync(`${dir}/empty`, "");
    writeFileSync(`${dir}/six`, "abcdef");
    expect(readRegularFile("file", `${dir}/empty`, { maxBytes: 10 }).length).toBe(0);
    expect(readRegularFile("file", `${dir}/six`, { maxBytes: 10 }).toString()).toBe("abcdef");
    expect(() => readRegularFile("file", `${dir}/six`, { maxBytes: 5 })).toThrow("is larger than 5 bytes");
    expect(readRegularFile("file", `${dir}/six`, { maxBytes: 2, tail: true }).toString()).toBe("ef");
  });
});
