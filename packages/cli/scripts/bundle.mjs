#!/usr/bin/env node
/**
 * Bundles the CLI's own modules (tsc's output in dist/) into dist/bin.js and a
 * few chunks loaded when a command needs them. Node 20 resolves and loads each
 * ES module separately (a realpath, a stat, an open and a compile each): ~30
 * modules cost ~15 ms of CPU before any command runs. @neslink/core and the
 * CLI's dependencies stay outside the bundle, loaded as packages, so there is
 * one copy of core's classes (errors are matched by instanceof) and core's
 * workers still find their files. Chunks sit beside bin.js, so paths relative
 * to a module (version.ts's ../package.json) hold.
 */
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
await build({
  input: { bin: `${dist}bin.js` },
  platform: "node",
  external: [/^@neslink\//, /^node:/, "cli-progress", "shell-quote"],
  // Written over tsc's bin.js (read first); tsc's other modules stay for their types and source maps, unused at run time.
  output: { dir: dist, format: "esm", sourcemap: true, chunkFileNames: "[name]-[hash].js" },
});
// npm makes a package's bin executable when it installs it; this build writes bin.js anew after that, and `npx neslink`
// in this repository runs it through node_modules/.bin, by its shebang.
chmodSync(`${dist}bin.js`, 0o755);
