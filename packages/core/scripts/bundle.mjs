#!/usr/bin/env node
/**
 * Bundles, over tsc's output, what is loaded at run time. Node 20 resolves,
 * reads and compiles each ES module on its own (a realpath, stats, an open,
 * a compile): ~0.5–1 ms of CPU a module, paid again by every thread, and core
 * has ~150 of them (`import "@neslink/core"` cost ~80 ms of CPU over Node's
 * start, `@neslink/core/lean` ~60).
 *
 * - Each worker thread's entry (the pool's worker, a watch's listener) becomes
 *   one file. A worker loads its modules in its own isolate and shares no
 *   module instance with the main thread (errors cross as JSON), so a copy of
 *   core's code inside it changes nothing: ~25 ms less CPU per pool worker.
 *   User modules (custom providers and actions) are still imported by
 *   specifier at run time, from the same directory as before.
 * - Every entry point of package.json is built in one go, split into shared
 *   chunks (dist/chunks/): each module is in exactly one file, so the default
 *   pool, the classes errors are matched by, koffi's binding... exist once in
 *   a process however many entry points it loads, and an entry point loads
 *   only the chunks of the modules it reaches (`ns list` loads the entry
 *   checks, not the pool).
 * - The paths of core's own files (the worker and listener entries, the
 *   topology schema) are made relative to one module, files/own.ts, whose
 *   chunk is one level under dist/ as its tsc output is, so they hold.
 *
 * koffi, the codec and other packages, and Node's modules stay imports.
 * tsc's per-module files stay beside the bundles for their types and source
 * maps; nothing loads them at run time.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { directRequire } from "./direct-require.mjs";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
// A previous build's chunks (their names carry content hashes).
rmSync(`${dist}chunks`, { recursive: true, force: true });
rmSync(`${dist}cjs`, { recursive: true, force: true });
const packages = (id) => !id.startsWith(".") && !id.startsWith("/");

/** The files the worker threads start with, each one file with all it imports. */
for (const entry of ["worker/main", "events/listener"]) {
  const file = `${dist}${entry}.js`;
  // Written over tsc's file of the same name (read first).
  await build({ input: file, platform: "node", external: packages, output: { file, format: "esm", sourcemap: true } });
}

/** package.json's entry points (but the schema and examples), as dist/<name>.js. */
const ENTRIES = [
  "index",
  "lean",
  "errors",
  "kinds",
  "named",
  "list",
  "unix-socket",
  "unix-client",
  "read",
  "spawn",
  "replace",
  "link",
  "shapes",
];
/** The module that says where core's own files are (files/own.ts): a chunk of its own, one level under dist/ as in tsc's output. */
const OWN_FILES = /[\\/]files[\\/]own\.js$/;

const input = Object.fromEntries(ENTRIES.map((name) => [name, `${dist}${name}.js`]));
/** The entry points built each as one CommonJS file of its own (see below). */
const SELF_CONTAINED = ["unix-client", "shapes"];

/**
 * The same entry points as CommonJS, all in dist/cjs/ (one level under dist/,
 * so own.ts's paths hold there too), for CommonJS programs: the CLI's bin is
 * one, so that a one-shot command never starts Node's ES module loader (~10
 * ms of CPU, and more a file). The codec is required as a package (its
 * `require` export is CommonJS too), found without Node's ES module resolver
 * (direct-require.mjs); its generated tables are plain data and go in. Built
 * first, from tsc's output, which the ES build below overwrites.
 */
const CODEC_TABLES = /^@neslink\/codec-wasm\//;
const CODEC = /^@neslink\/codec-wasm$/;
const CJS_OUTPUT = {
  format: "cjs",
  // A one-shot command compiles every file it loads: minified, ~4% fewer instructions at start. Class and function
  // names are kept (errors are reported by name), and the source maps say where a line came from.
  minify: { compress: { keepNames: { function: true, class: true } }, mangle: { keepNames: true } },
  // A package's dynamic import (the codec, yaml...) is a require too: import() would start the ES module loader.
  dynamicImportInCjs: false,
  sourcemap: true,
};
const shared = Object.fromEntries(Object.entries(input).filter(([name]) => !SELF_CONTAINED.includes(name)));
await build({
  input: shared,
  platform: "node",
  external: (id) => packages(id) && !CODEC_TABLES.test(id) && !CODEC.test(id),
  plugins: [directRequire(CODEC)],
  output: { ...CJS_OUTPUT, dir: `${dist}cjs`, entryFileNames: "[name].cjs", chunkFileNames: "[name]-[hash].cjs" },
});
/**
 * unix-client and shapes each in one CommonJS file, with its own copy of what
 * it imports, as each further file would cost Node's module loader ~1–2M
 * instructions (the first one that a module requires much more). unix-client
 * (koffi's loader, the errno names): the CLI's agent client loads it and
 * nothing else of core. Its copy is never loaded beside the shared one by the
 * CLI; a program that loads both has koffi's native module initialised twice,
 * which koffi allows (each worker thread does it). shapes: plain functions
 * over plain data, which a listing loads beside `read` or `link`; a copy of
 * them in another entry's chunks (lean's events, index's inspect) is the same
 * functions again, with no state to share.
 */
for (const name of SELF_CONTAINED) {
  await build({
    input: input[name],
    platform: "node",
    external: packages,
    output: { ...CJS_OUTPUT, file: `${dist}cjs/${name}.cjs` },
  });
}

await build({
  input,
  platform: "node",
  external: packages,
  output: {
    dir: dist,
    format: "esm",
    sourcemap: true,
    chunkFileNames: "chunks/[name]-[hash].js",
    codeSplitting: { groups: [{ name: "own-files", test: OWN_FILES }] },
  },
});
