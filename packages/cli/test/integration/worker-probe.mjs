// Preloaded (node --import) into the built bin by tests that check whether a
// command starts a worker thread: writes a line on stderr when one starts.
import { createRequire, syncBuiltinESMExports } from "node:module";

const threads = createRequire(import.meta.url)("node:worker_threads");
const { Worker } = threads;
threads.Worker = class extends Worker {
  constructor(...args) {
    process.stderr.write("probe: a worker thread started\n");
    super(...args);
  }
};
// The ES module's named export (what core imports) follows the patched property.
syncBuiltinESMExports();
