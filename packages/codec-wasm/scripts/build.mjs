// Builds the crate to WebAssembly for Node: wasm-pack (with the wasm-bindgen CLI
// that scripts/setup.sh installed, never a download), then Debian's wasm-opt.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
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
run("wasm-opt", ["-O3", "pkg/codec_bg.wasm", "-o", "pkg/codec_bg.wasm"]);
