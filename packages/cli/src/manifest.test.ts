/**
 * A package the CLI's code or tests import must be in its own package.json (or be one of the workspace's shared
 * tools, in the root's): one found only because npm hoists another workspace's dependency into the root's
 * node_modules breaks as soon as that workspace drops it or the install is not hoisted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import ts from "typescript";
import { expect, it } from "vitest";

const cli = join(import.meta.dirname, "..");

function manifest(path: string): Record<string, Record<string, string> | undefined> {
  return JSON.parse(readFileSync(path, "utf8"));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|mts|cts|mjs|cjs|js)$/.test(f))
    .map((f) => join(dir, f));
}

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name"; undefined for relative paths and Node's own modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:") || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

it("every package the CLI's source, tests and scripts import is declared in a manifest", () => {
  const own = manifest(join(cli, "package.json"));
  const root = manifest(join(cli, "../../package.json"));
  const declared = new Set(Object.keys({ ...own.dependencies, ...own.devDependencies, ...root.devDependencies }));
  const files = [...sources(join(cli, "src")), ...sources(join(cli, "test")), ...sources(join(cli, "scripts"))];
  const undeclared = files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, "utf8"), true, true)
      .importedFiles.map((i) => packageOf(i.fileName))
      .filter((name): name is string => name !== undefined && !declared.has(name))
      .map((name) => `${file.slice(cli.length + 1)}: ${name}`),
  );
  expect(undeclared).toEqual([]);
});
