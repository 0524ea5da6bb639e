/** core's examples/topologies, copied for a test under a lab name of its own (its namespaces are `<lab>-<node>`). */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Writes examples/topologies/`file` to `path`, named `lab`; returns `path`. */
export function exampleAs(file: string, lab: string, path: string): string {
  const text = readFileSync(fileURLToPath(new URL(`../../../core/examples/topologies/${file}`, import.meta.url)), "utf8");
  writeFileSync(path, text.replace(/^name: .*$/m, `name: ${lab}`));
  return path;
}
