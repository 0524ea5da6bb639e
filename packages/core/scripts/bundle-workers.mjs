#!/usr/bin/env node
/**
 * Bundles each worker thread's entry (the pool's worker, a watch's listener)
 * into one file, over tsc's output. A worker thread loads its modules itself
 * (its own isolate, its own module map), and Node 20 resolves, reads and
 * compiles each ES module on its own: the pool worker's ~45 modules cost ~25
 * ms of CPU on every start, one bundled file a fraction of that. A worker
 * shares no module instances with the main thread anyway (errors cross as
 * JSON), so a copy of core's code inside it changes nothing. koffi, the codec
 * and Node's modules stay imports; user modules (custom providers and
 * actions) are imported by specifier at run time, from the same directory as
 * before.
 */
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
for (const entry of ["worker/main", "events/listener"]) {
  await build({
    input: `${dist}${entry}.js`,
    platform: "node",
    external: [/^@neslink\//, /^node:/, "koffi"],
    // Written over tsc's file of the same name (read first); the modules it inlines stay for the main thread.
    output: { file: `${dist}${entry}.js`, format: "esm", sourcemap: true },
  });
}
