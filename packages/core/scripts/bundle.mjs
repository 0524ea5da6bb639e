#!/usr/bin/env node
/**
 * Bundles, over tsc's output, the files whose start-up counts. Node 20
 * resolves, reads and compiles each ES module on its own (a realpath, stats,
 * an open, a compile): ~1 ms of CPU a module, paid again by every thread.
 *
 * - Each worker thread's entry (the pool's worker, a watch's listener) becomes
 *   one file. A worker loads its modules in its own isolate and shares no
 *   module instance with the main thread (errors cross as JSON), so a copy of
 *   core's code inside it changes nothing: ~25 ms less CPU per pool worker.
 *   User modules (custom providers and actions) are still imported by
 *   specifier at run time, from the same directory as before.
 * - The entry points a one-shot command loads alone, @neslink/core/read,
 *   /named, /spawn and /list, become one file each, less the modules whose
 *   instances must be the ones the rest of core uses: errors.js (its classes
 *   are matched by instanceof), ffi/* (one koffi binding per process),
 *   nsdo.js (the default pool; readLinks, spawn and addNamed fall back to it,
 *   loaded then) and pool/open-pools.js (the count of open pools removeNamed
 *   looks at); and topology/live.js, which
 *   locateNode loads only to search every marker for a node not under its
 *   default name (it needs the pool then, and the rest of core with it).
 *   Those stay imports of core's own files, so a program that also loads the
 *   rest of core has one copy of each; what else is inlined holds no state.
 *
 * koffi, the codec and Node's modules stay imports everywhere.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const PACKAGES = [/^@neslink\//, /^node:/, "koffi"];

/** Core's own files kept as imports by the entry bundles. */
const SHARED = [
  `${dist}errors.js`,
  `${dist}ffi/libc.js`,
  `${dist}ffi/identity.js`,
  `${dist}nsdo.js`,
  `${dist}pool/open-pools.js`,
  `${dist}topology/live.js`,
];

async function bundle(entry, shared) {
  const file = `${dist}${entry}.js`;
  await build({
    input: file,
    platform: "node",
    external: (id, importer) =>
      PACKAGES.some((p) => (typeof p === "string" ? id === p : p.test(id))) ||
      (shared && importer !== undefined && SHARED.includes(resolve(dirname(importer), id))),
    // Written over tsc's file of the same name (read first); the modules it inlines stay for the rest of core.
    output: { file, format: "esm", sourcemap: true },
  });
}

for (const entry of ["worker/main", "events/listener"]) await bundle(entry, false);
for (const entry of ["read", "named", "spawn", "list"]) await bundle(entry, true);
