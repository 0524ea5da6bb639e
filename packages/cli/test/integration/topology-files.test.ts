/**
 * Topology files a careless user or an attacker gives plan, apply, destroy
 * and graph, through the built bin: each refused promptly with the
 * documented exit status (3 for a file with mistakes, each at FILE:LINE:
 * COLUMN; 2 for a path that is not a readable regular file) and nothing made
 * in the kernel.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

// Also the lab's name (at most 12 characters): no namespace or link of it may appear.
const lab = uniquePrefix("tf");
const dir = `/tmp/${lab}dir`;
const file = (name: string, content: string | Buffer) => {
  writeFileSync(`${dir}/${name}`, content);
  return `${dir}/${name}`;
};
const netns = () => readdirSync("/run/netns").filter((n) => n.startsWith(lab));
const links = () =>
  JSON.parse(execFileSync("ip", ["-j", "link", "show"], { encoding: "utf8" })).filter((l: { ifname: string }) => l.ifname.startsWith(lab));

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("topology files that are not what they should be", () => {
  it("refuses each with exit 3 and the line at fault, for every command that reads a file, and makes nothing", () => {
    const files = {
      "duplicate key": [
        file("dup.yaml", `name: ${lab}\nnodes:\n  a: {}\n  a: {}\n`),
        "dup.yaml:4:3: nodes.a: is given twice (first at line 3, column 3)",
      ],
      "deep nesting": [file("deep.yaml", `name: ${lab}\nnodes: {}\nlinks: ${"[".repeat(1 << 20)}\n`), "deep.yaml:3:"],
      "Latin-1": [
        file("latin1.yaml", Buffer.from(`name: ${lab}\nnodes:\n  caf\xe9: {}\n`, "latin1")),
        "latin1.yaml:3:6: (file): is not UTF-8",
      ],
      "leading zero": [
        file("mtu.yaml", `name: ${lab}\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: ["a:e", "b:e"], mtu: 01500 }]\n`),
        "mtu.yaml:3:",
      ],
      empty: [file("empty.yaml", "# nothing yet\n"), "empty.yaml: (file): is empty"],
    };
    for (const [what, [path, said]] of Object.entries(files)) {
      for (const command of ["plan", "apply", "destroy", "graph"]) {
        const r = neslink(command, ...(command === "apply" ? ["--yes"] : []), path as string);
        expect({ what, command, status: r.status, said: r.stderr.includes(said as string) }, r.stderr).toEqual({
          what,
          command,
          status: 3,
          said: true,
        });
      }
    }
    expect(netns()).toEqual([]);
    expect(links()).toEqual([]);
  });

  it("names the file's own fault for a path that is not a regular file, also where a lab's name is taken (destroy, graph, inspect)", () => {
    // A FIFO is waited on for its writer, as cat does: fifo-topology.test.ts.
    for (const [path, said] of [
      [`${dir}/missing.yaml`, "no such file"],
      [dir, "is not a regular file"],
      ["/dev/zero", "is not a regular file"],
    ] as const) {
      for (const command of ["destroy", "graph", "inspect"]) {
        const r = neslink(command, ...(command === "destroy" ? ["--yes"] : []), path);
        const line = r.stderr.split("\n")[0] as string;
        expect({ command, path, status: r.status, said: line.includes(said), named: line.includes(path) }, line).toEqual({
          command,
          path,
          status: 2,
          said: true,
          named: true,
        });
      }
    }
    expect(netns()).toEqual([]);
  });
});
