/**
 * A package found where Node's own lookup finds it (the nearest
 * node_modules above a directory that holds it), and the file its "exports"
 * map gives a `require`, worked out without Node's resolver. Node 20 resolves
 * a package that has an "exports" map through its ES module resolver, which
 * it loads and compiles at the first such `require` (~13M instructions, a
 * tenth of a one-shot CLI command's start): the CommonJS builds of core and
 * the CLI find the codec and core this way instead (core's
 * scripts/direct-require.mjs), and koffi's native module is found the same
 * way (ffi/koffi.ts).
 *
 * Only the plain cases are answered: a subpath the map names, whose target is
 * a string or conditions among `require`, `node` and `default` (in the map's
 * order, as Node takes them). Anything else (no map, patterns, a package in no
 * node_modules: Yarn PnP, NODE_PATH) is undefined, and the caller requires the
 * name the usual way. For the maps it serves (core's and the codec's: `types`,
 * `require`, `default`) the answer is the file Node's own resolution gives
 * (package-entry.test.ts holds it to createRequire().resolve); a condition a
 * newer Node also takes for a require (Node 22's `module-sync`) is in neither.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface FoundPackage {
  /** The package's directory: …/node_modules/NAME. */
  root: string;
  /** Its package.json, parsed. */
  manifest: { version?: unknown; exports?: unknown };
}

/**
 * The package.json at `root`; undefined where there is none to read (Node's
 * lookup goes on up there too). One that is read but is not a JSON object is
 * an empty manifest: the walk stops at it and packageEntry answers nothing,
 * so the caller's require(name) meets what Node makes of it (an error, for
 * bad JSON or null) instead of loading a copy further up.
 */
function manifestAt(root: string): FoundPackage["manifest"] | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, "package.json"), "utf8");
  } catch {
    return undefined;
  }
  try {
    const manifest: unknown = JSON.parse(text);
    return manifest !== null && typeof manifest === "object" && !Array.isArray(manifest) ? manifest : {};
  } catch {
    return {};
  }
}

/** What nearestPackage found, by name and directory: a CLI command asks for core once per entry point it loads. */
const found = new Map<string, FoundPackage | undefined>();

/** NAME in the nearest node_modules above `from` (itself included) that holds it, as Node's lookup walks; undefined if none. */
export function nearestPackage(name: string, from: string): FoundPackage | undefined {
  const key = `${name}\0${from}`;
  if (!found.has(key)) found.set(key, lookUp(name, from));
  return found.get(key);
}

function lookUp(name: string, from: string): FoundPackage | undefined {
  for (let dir = from; ; ) {
    // Node never looks in node_modules/node_modules.
    if (basename(dir) !== "node_modules") {
      const root = join(dir, "node_modules", name);
      const manifest = manifestAt(root);
      if (manifest !== undefined) return { root, manifest };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const CONDITIONS = new Set(["require", "node", "default"]);

/** The file a `require` gets from an exports target: a string, or the first condition Node would take. */
function targetOf(target: unknown): string | undefined {
  // Node refuses a target that leaves the package or names a "." or ".." segment; so does this, by not answering.
  if (typeof target === "string") {
    const [dot, ...segments] = target.split("/");
    return dot === "." && segments.length > 0 && segments.every((s) => s !== "." && s !== "..") ? target : undefined;
  }
  if (target === null || typeof target !== "object" || Array.isArray(target)) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (CONDITIONS.has(condition)) return targetOf(value);
  }
  return undefined;
}

/**
 * The absolute path `require(specifier)` loads from `from`, for a package
 * specifier ("@neslink/core/link", "@neslink/codec-wasm") in the plain cases
 * above; undefined otherwise.
 */
export function packageEntry(specifier: string, from: string): string | undefined {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join("/")}` : ".";
  const pkg = nearestPackage(name, from);
  if (pkg === undefined) return undefined;
  const target = targetOf(subpathTarget(pkg.manifest.exports, subpath));
  return target === undefined ? undefined : join(pkg.root, target);
}

/** What the map gives `subpath`: a map of conditions alone (or a string) is the "." entry. */
function subpathTarget(exports: unknown, subpath: string): unknown {
  if (exports === null || typeof exports !== "object" || Array.isArray(exports) || !hasSubpaths(exports)) {
    return subpath === "." ? exports : undefined;
  }
  return Object.hasOwn(exports, subpath) ? (exports as Record<string, unknown>)[subpath] : undefined;
}

/** A map keyed by subpaths ("." and "./x"), not by conditions alone. */
function hasSubpaths(exports: object): boolean {
  return Object.keys(exports).some((key) => key.startsWith("."));
}
