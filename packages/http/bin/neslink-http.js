#!/usr/bin/env node
// The bin npm links. It is committed, not built: npm links a workspace's bin at install only if its file exists then,
// and dist/ is built after; without the link, `npx neslink-http` fetches whatever package of that name the registry has.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(`neslink-http: ${fileURLToPath(built)} is not built yet: run "npm run build" (or scripts/setup.sh) first\n`);
  process.exit(1);
}
await import(built.href);
