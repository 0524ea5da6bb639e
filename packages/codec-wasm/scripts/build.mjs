// Builds the crate to WebAssembly for Node with wasm-pack (and the wasm-bindgen CLI
// that scripts/setup.sh installed, never a download), then optimises it with
// binaryen's wasm-opt from the npm registry's `binaryen` package. Not Debian's
// binaryen 108: it rewrites the export of wasm-bindgen's externref table to
// point at the funcref table (even with no passes), and the module fails to load.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
  } catch (err) {
    if (err.code === "ENOENT") {
      console.error(`codec-wasm: '${cmd}' is not installed; run scripts/setup.sh from the repository root.`);
    }
    process.exit(1);
  }
};

run("wasm-pack", [
  "build",
  "--target",
  "nodejs",
  "--mode",
  "no-install",
  "--release",
  "--no-pack",
  "--out-dir",
  "pkg",
  "--out-name",
  "codec",
]);
rmSync(`${root}/pkg/.gitignore`, { force: true });
// wasm-pack's nodejs output is CommonJS, but this package is "type": "module".
writeFileSync(`${root}/pkg/package.json`, '{ "type": "commonjs" }\n');
const wasmOpt = createRequire(import.meta.url).resolve("binaryen/bin/wasm-opt");
run(process.execPath, [wasmOpt, "-O3", "pkg/codec_bg.wasm", "-o", "pkg/codec_bg.wasm"]);
