import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { koffi, libc } from "./koffi.js";

describe("koffi, loaded the short way", () => {
  it("is the native module of the koffi core resolves, at its version", () => {
    const entry = createRequire(import.meta.url).resolve("koffi");
    const { version } = JSON.parse(readFileSync(`${dirname(entry)}/package.json`, "utf8"));
    expect((koffi as unknown as { version: string }).version).toBe(version);
  });

  it("declares and calls libc functions", () => {
    const getpid = libc.func("int getpid(void)");
    expect(getpid()).toBe(process.pid);
  });
});
