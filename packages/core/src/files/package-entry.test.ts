import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nearestPackage, packageEntry } from "./package-entry.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A tree of files under a fresh temp directory; returns its path. */
function tree(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), "neslink-pkg-entry-"));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

const CORE = {
  name: "@x/core",
  version: "1.0.0",
  exports: {
    ".": { types: "./i.d.ts", require: "./cjs/index.cjs", default: "./index.js" },
    "./link": { types: "./l.d.ts", require: "./cjs/link.cjs", default: "./link.js" },
    "./examples/*": "./examples/*",
  },
};

describe("packageEntry answers what require() would load", () => {
  it("gives the require condition of the subpath asked, from the nearest node_modules, as Node does", () => {
    const root = tree({
      "node_modules/@x/core/package.json": CORE,
      "node_modules/@x/core/cjs/index.cjs": "exports.which = 'outer';",
      "node_modules/@x/core/cjs/link.cjs": "exports.which = 'outer link';",
      "app/node_modules/@x/core/package.json": CORE,
      "app/node_modules/@x/core/cjs/index.cjs": "exports.which = 'inner';",
      "app/node_modules/@x/core/cjs/link.cjs": "exports.which = 'inner link';",
      "app/dist/main.cjs": "",
      "other/dist/main.cjs": "",
    });
    for (const from of ["app/dist", "other/dist"]) {
      const nodes = createRequire(join(root, from, "main.cjs"));
      for (const specifier of ["@x/core", "@x/core/link"]) {
        const path = packageEntry(specifier, join(root, from));
        expect(path).toBe(nodes.resolve(specifier));
      }
    }
  });

  it("answers nothing where Node would take another way, so that the caller asks Node", () => {
    const root = tree({
      "node_modules/@x/core/package.json": CORE,
      "node_modules/plain/package.json": { name: "plain", main: "./main.js" },
      "node_modules/sugar/package.json": { name: "sugar", exports: "./only.cjs" },
      "node_modules/conds/package.json": { name: "conds", exports: { import: "./m.mjs", require: "./c.cjs" } },
      "node_modules/arrays/package.json": { name: "arrays", exports: { ".": ["./a.cjs"] } },
      "node_modules/escape/package.json": { name: "escape", exports: { ".": "./../outside.cjs", "./x": "./a/../b.cjs" } },
      "node_modules/broken/package.json": "{ not json",
    });
    expect(packageEntry("@x/core/examples/a.yaml", root)).toBeUndefined();
    expect(packageEntry("@x/core/missing", root)).toBeUndefined();
    expect(packageEntry("plain", root)).toBeUndefined();
    expect(packageEntry("sugar", root)).toBe(join(root, "node_modules/sugar/only.cjs"));
    expect(packageEntry("sugar/deep", root)).toBeUndefined();
    expect(packageEntry("conds", root)).toBe(join(root, "node_modules/conds/c.cjs"));
    expect(packageEntry("arrays", root)).toBeUndefined();
    expect(packageEntry("escape", root)).toBeUndefined();
    expect(packageEntry("escape/x", root)).toBeUndefined();
    // A manifest that is not JSON answers nothing: where Node would fail, the caller does.
    expect(packageEntry("broken", root)).toBeUndefined();
    expect(packageEntry("nowhere", root)).toBeUndefined();
  });

  it("stops at a nearer copy whose package.json is not a JSON object, and answers nothing: never the copy further up", () => {
    for (const manifest of ["{ not json", "null", "[]", "42"]) {
      const root = tree({
        "node_modules/@x/core/package.json": CORE,
        "node_modules/@x/core/cjs/index.cjs": "",
        "app/node_modules/@x/core/package.json": manifest,
        "app/dist/main.cjs": "",
      });
      // Node fails on the nearer copy (bad JSON, null) or goes its own way: the caller's require(name) does as it does.
      expect(packageEntry("@x/core", join(root, "app/dist")), manifest).toBeUndefined();
      expect(nearestPackage("@x/core", join(root, "app/dist"))?.root, manifest).toBe(join(root, "app/node_modules/@x/core"));
    }
  });

  it("never looks inside node_modules/node_modules, and takes a symlinked package (a workspace) where it is linked", () => {
    const root = tree({
      "node_modules/node_modules/lost/package.json": { name: "lost", exports: "./x.cjs" },
      "packages/real/package.json": { name: "real", exports: { require: "./r.cjs" } },
      "packages/real/r.cjs": "",
    });
    symlinkSync(join(root, "packages/real"), join(root, "node_modules/real"));
    expect(nearestPackage("lost", join(root, "node_modules"))).toBeUndefined();
    expect(packageEntry("real", join(root, "app"))).toBe(join(root, "node_modules/real/r.cjs"));
  });
});
