/**
 * A rolldown plugin for the CommonJS builds of core (the codec) and the CLI
 * (core): a `require` of a package whose name `test` matches goes through
 * packageEntry (src/files/package-entry.ts, bundled in), which finds the file
 * Node would load without loading Node's ES module resolver (~13M
 * instructions of every one-shot command's start); where packageEntry cannot
 * say, the package is required by name, as before. The module instance is
 * Node's own either way: it caches modules by their real path.
 */
import { fileURLToPath } from "node:url";

const PACKAGE_ENTRY = fileURLToPath(new URL("../dist/files/package-entry.js", import.meta.url));
const PREFIX = "\0direct-require:";

/** @param {RegExp} test the package specifiers to require directly */
export function directRequire(test) {
  return {
    name: "direct-require",
    resolveId(id) {
      return test.test(id) ? { id: `${PREFIX}${id}` } : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const specifier = JSON.stringify(id.slice(PREFIX.length));
      const code = [
        `const { packageEntry } = require(${JSON.stringify(PACKAGE_ENTRY)});`,
        `module.exports = require(packageEntry(${specifier}, __dirname) ?? ${specifier});`,
      ].join("\n");
      return { code, moduleType: "js" };
    },
  };
}
