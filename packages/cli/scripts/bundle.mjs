#!/usr/bin/env node
/**
 * Bundles the CLI's own modules (tsc's output in dist/) into dist/bin.cjs and
 * a few chunks loaded when a command needs them, as CommonJS: Node 20 starts
 * its ES module loader for the first ES module a process loads (~10 ms of
 * CPU) and resolves, reads and compiles each module on its own after that;
 * CommonJS needs neither, and @neslink/core and its codec have CommonJS
 * entry points (their `require` exports). Core and the CLI's dependencies
 * stay outside the bundle, loaded as packages, so there is one copy of core's
 * classes (errors are matched by instanceof) and core's workers still find
 * their files. Chunks sit beside bin.cjs, so paths relative to a module
 * (version.ts's ../package.json) hold.
 */
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { directRequire } from "../../core/scripts/direct-require.mjs";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
/** The modules every command loads, by their path in dist/ (a command's own code is in dist/commands/run/). */
const EVERY_COMMAND =
  /dist[\\/](main|core|args|output|help|closest|version|paths|command|interrupt|late-signal|commands[\\/](?!run[\\/])[^\\/]+|agent[\\/]grace)\.js$|direct-require:@neslink[\\/]core[\\/](errors|shapes)/;
await build({
  input: { bin: `${dist}bin.js` },
  platform: "node",
  // Core is required as a package, but found without Node's ES module resolver (core's scripts/direct-require.mjs).
  external: [/^node:/, "cli-progress", "shell-quote"],
  plugins: [directRequire(/^@neslink\/core(\/|$)/, { lazy: /^@neslink\/core\/(errors|unix-client)$/ })],
  // tsc's modules stay beside the bundle for their types and source maps, unused at run time.
  output: {
    dir: dist,
    format: "cjs",
    // A one-shot command compiles every file it loads: minified, ~4% fewer instructions at start. Class and function
    // names are kept (errors are reported by name), and the source maps say where a line came from.
    minify: { compress: { keepNames: { function: true, class: true } }, mangle: { keepNames: true } },
    // A package loaded when a command needs it (core, shell-quote) is a require too: import() would start the ES module loader.
    dynamicImportInCjs: false,
    sourcemap: true,
    entryFileNames: "[name].cjs",
    chunkFileNames: "[name]-[hash].cjs",
    // What every command loads (the command table, parsing, printing, core's errors) in one chunk: each file a command
    // loads costs the module loader ~0.5M instructions, whatever its size. The agent's client, which stands in for all
    // of that, is in bin.cjs itself, with what reads argv and finds core, which both need.
    // Core's shapes of --json are found from there too (a few bytes: its require runs when a command first uses it).
    codeSplitting: { groups: [{ name: "main", test: EVERY_COMMAND, includeDependenciesRecursively: false }] },
  },
});
// npm makes a package's bin executable when it installs it; this build writes bin.cjs anew after that, and `npx neslink`
// in this repository runs it through node_modules/.bin, by its shebang.
chmodSync(`${dist}bin.cjs`, 0o755);
