#!/usr/bin/env node
// The bin npm links. It is committed, not built: npm links a workspace's bin at install only if its file exists then,
// and dist/ is built after; without the link, `npx neslink` fetches whatever package of that name the registry has.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const built = join(__dirname, "../dist/bin.cjs");
if (!existsSync(built)) {
  process.stderr.write(`neslink: ${built} is not built yet: run "npm run build" (or scripts/setup.sh) first\n`);
  process.exit(1);
}
require(built);
