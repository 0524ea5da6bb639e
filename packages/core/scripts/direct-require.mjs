/**
 * A rolldown plugin for the CommonJS builds of core (the codec) and the CLI
 * (core): a `require` of a package whose name `test` matches goes through
 * packageEntry (src/files/package-entry.ts, bundled in), which finds the file
 * Node would load without loading Node's ES module resolver (~13M
 * instructions of every one-shot command's start); where packageEntry cannot
 * say, the package is required by name, as before. The module instance is
 * Node's own either way: it caches modules by their real path.
 *
 * A package whose name `lazy` matches is required only when one of its
 * exports is first read, not when the bundle loads: its export names are
 * learnt at build time (from the package as built then), and each is a
 * getter. For a module most runs never use (the CLI's `--help` and
 * `--version` never touch core's errors, ~7M instructions to load), as long
 * as nothing reads an export while the bundle loads.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const PACKAGE_ENTRY = fileURLToPath(new URL("../dist/files/package-entry.js", import.meta.url));
const PREFIX = "\0direct-require:";

/**
 * @param {RegExp} test the package specifiers to require directly
 * @param {{ lazy?: RegExp }} [options] `lazy`: those of them to require at the first read of an export
 */
export function directRequire(test, { lazy } = {}) {
  /** Where each lazy specifier was imported from, to learn its export names as that importer would load it. */
  const importers = new Map();
  return {
    name: "direct-require",
    resolveId(id, importer) {
      if (!test.test(id)) return null;
      if (lazy?.test(id) && importer !== undefined && !importers.has(id)) importers.set(id, importer);
      return { id: `${PREFIX}${id}` };
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = id.slice(PREFIX.length);
      const specifier = JSON.stringify(name);
      const entry = `require(packageEntry(${specifier}, __dirname) ?? ${specifier})`;
      const head = `const { packageEntry } = require(${JSON.stringify(PACKAGE_ENTRY)});`;
      if (!lazy?.test(name)) return { code: [head, `module.exports = ${entry};`].join("\n"), moduleType: "js" };
      const names = Object.keys(createRequire(importers.get(name) ?? import.meta.url)(name));
      const code = [
        head,
        "let loaded;",
        `for (const name of ${JSON.stringify(names)}) {`,
        `  Object.defineProperty(module.exports, name, { enumerable: true, get: () => (loaded ??= ${entry})[name] });`,
        "}",
      ].join("\n");
      return { code, moduleType: "js" };
    },
  };
}
