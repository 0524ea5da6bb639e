/**
 * A lab file of a bridge and `hosts` hosts, each with an address on 10.`net`.0.0/24: an apply long enough to interrupt
 * part-way. `hubProgram`: a command (sh -c) the hub runs.
 */
import { writeFileSync } from "node:fs";

export function starLab(path: string, lab: string, hosts: number, net: number, hubProgram?: string): string {
  const processes = hubProgram === undefined ? "" : `, processes: [{ name: prog, command: [sh, -c, "${hubProgram}"] }]`;
  const lines = [`name: ${lab}`, "nodes:", `  hub: { bridges: [br0]${processes} }`];
  for (let i = 0; i < hosts; i++) lines.push(`  h${i}: { addresses: { eth0: [10.${net}.0.${i + 1}/24] } }`);
  lines.push("links:");
  for (let i = 0; i < hosts; i++) lines.push(`  - endpoints: ["h${i}:eth0", { node: hub, interface: v${i}, master: br0 }]`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
