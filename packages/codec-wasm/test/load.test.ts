// The wasm module is compiled at the first call or at load(), not at import.
import { readFileSync } from "node:fs";
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

// V8 11 (Node 20) compiles a TurboFan wrapper for each import and for each signature of the
// exports that return more than one value, when it compiles the module (~1 ms of CPU for the
// first, in a one-shot CLI). scripts/build.mjs keeps wasm-bindgen from making multi-value
// exports, and src/lib.rs needs no import; this fails if a change brings either back.
it("the built module imports nothing, and no export returns more than one value", async () => {
  const { default: binaryen } = await import("binaryen");
  const wasm = readFileSync(new URL("../pkg/codec_bg.wasm", import.meta.url));
  const module = binaryen.readBinary(wasm);
  try {
    const imports = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const fn = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (fn.module) imports.push(`${fn.module}.${fn.base}`);
    }
    expect(imports).toEqual([]);
    const results: Record<string, number> = {};
    for (let i = 0; i < module.getNumExports(); i++) {
      const info = binaryen.getExportInfo(module.getExportByIndex(i));
      if (info.kind !== binaryen.ExternalFunction) continue;
      const fn = binaryen.getFunctionInfo(module.getFunction(info.value));
      results[info.name] = binaryen.expandType(fn.results).length;
    }
    expect(Object.keys(results)).toContain("decodeMessages");
    expect(
      Object.values(results).every((n) => n <= 1),
      JSON.stringify(results),
    ).toBe(true);
  } finally {
    module.dispose();
  }
});
