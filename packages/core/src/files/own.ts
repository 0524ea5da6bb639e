/**
 * Core's own files that its code opens or starts at run time, found relative
 * to this module. It sits one directory below dist/ both where tsc writes it
 * (dist/files/) and where the bundle puts it (a chunk of its own in
 * dist/chunks/, see scripts/bundle.mjs), so the same relative paths hold in
 * both, whichever module uses them.
 */

/** The pool's worker thread entry. */
export const WORKER_FILE = new URL("../worker/main.js", import.meta.url);

/** A watch's listener thread entry. */
export const LISTENER_FILE = new URL("../events/listener.js", import.meta.url);

/** The topology format's JSON Schema, shipped at the package's root. */
export const TOPOLOGY_SCHEMA_FILE = new URL("../../topology.schema.json", import.meta.url);
