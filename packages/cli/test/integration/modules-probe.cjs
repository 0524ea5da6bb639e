// Preloaded (node --require: a CommonJS preload starts no ES module loader of
// its own) into the built bin by tests that check which modules a command
// loads: at exit, writes Node's own modules it loaded ("NativeModule x", ...)
// and the files it required (their paths) to the file NESLINK_MODULES_PROBE names.
"use strict";
const { writeFileSync } = require("node:fs");

process.on("exit", () =>
  writeFileSync(process.env.NESLINK_MODULES_PROBE, [...process.moduleLoadList, ...Object.keys(require.cache)].join("\n")),
);
