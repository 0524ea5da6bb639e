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
const run = (cmd, args, env = process.env) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: "inherit", env });
  } catch (err) {
    if (err.code === "ENOENT") {
      console.error(`codec-wasm: '${cmd}' is not installed; run scripts/setup.sh from the repository root.`);
    }
    process.exit(1);
  }
};

// Start-up in a one-shot process (the CLI) is what these flags buy; each was measured
// (README.md, "Start-up"). Rust's wasm32 target marks the module
// "+multivalue" and "+reference-types" in its target_features section, and from them
// wasm-bindgen makes every export that returns a string or a Result a multi-value
// function, and keeps JS errors in a wasm externref table. V8 11 (Node 20) compiles a
// TurboFan wrapper for each multi-value export signature, and one for each import,
// when it compiles the module: ~1 ms of CPU for the first. Stripping the section
// (strip=symbols: the name section goes too, which wasm-opt drops anyway) makes
// wasm-bindgen return through memory instead, which V8's generic wrapper calls; without
// reference types its runtime exports no externref table functions, from which it would
// infer them (and warn). They go after the caller's RUSTFLAGS, which would override
// flags given any other way; with --target, cargo gives RUSTFLAGS to the wasm only.
const rustflags = [process.env.RUSTFLAGS, "-C target-feature=-reference-types -C strip=symbols"];
run(
  "wasm-pack",
  ["build", "--target", "nodejs", "--mode", "no-install", "--release", "--no-pack", "--out-dir", "pkg", "--out-name", "codec"],
  { ...process.env, RUSTFLAGS: rustflags.filter(Boolean).join(" ") },
);
rmSync(`${root}/pkg/.gitignore`, { force: true });
// wasm-pack's nodejs output is CommonJS, but this package is "type": "module".
writeFileSync(`${root}/pkg/package.json`, '{ "type": "commonjs" }\n');
const wasmOpt = createRequire(import.meta.url).resolve("binaryen/bin/wasm-opt");
// The stripped module names no features: wasm-opt is told those rustc's wasm32 target uses.
const features = ["bulk-memory", "bulk-memory-opt", "nontrapping-float-to-int", "sign-ext", "mutable-globals"];
run(process.execPath, [
  wasmOpt,
  "-O3",
  ...features.map((f) => `--enable-${f}`),
  // V8 compiles a wasm function at its first call, whole: a function called from one place
  // is inlined into it by default, however big, and so the first getLinkDump would compile
  // the encoders of every request kind (the crate keeps them apart with #[inline(never)]).
  // 200 instructions: first calls compile as little as with 50, and decoding is as fast as
  // with no limit (50 cost ~3%).
  "--one-caller-inline-max-function-size=200",
  "pkg/codec_bg.wasm",
  "-o",
  "pkg/codec_bg.wasm",
]);
