// The wasm module is compiled at the first call or at load(), not at import.
import { createRequire } from "node:module";
import { expect, it } from "vitest";

const built = createRequire(import.meta.url).resolve("../pkg/codec.js");
const compiled = () => createRequire(import.meta.url).cache[built] !== undefined;

it("importing the codec compiles nothing; load() compiles it once; calls work after", async () => {
  const codec = await import("../index.js");
  expect(compiled()).toBe(false);
  codec.load();
  expect(compiled()).toBe(true);
  const first = createRequire(import.meta.url).cache[built];
  codec.load();
  expect(createRequire(import.meta.url).cache[built]).toBe(first);
  expect(codec.decodeMessages(new Uint8Array(0))).toEqual([]);
});
