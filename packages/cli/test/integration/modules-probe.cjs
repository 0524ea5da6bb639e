// Preloaded (node --require: a CommonJS preload starts no ES module loader of
// its own) into the built bin by tests that check which of Node's own modules
// a command loads: at exit, writes them to the file NESLINK_MODULES_PROBE names.
"use strict";
const { writeFileSync } = require("node:fs");

process.on("exit", () => writeFileSync(process.env.NESLINK_MODULES_PROBE, process.moduleLoadList.join("\n")));
