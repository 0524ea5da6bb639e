/**
 * What an outsider met on a first look at the built bin: neslink run bare, a graph of names that read as HTML, a
 * plan of a lab not made yet (its sysctls, its vxlan's settings), monitor's nsids. None of it changes the kernel.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const lab = uniquePrefix("zp3");
const dir = mkdtempSync(join(tmpdir(), `${lab}-`));
const file = join(dir, "lab.yaml");
writeFileSync(
  file,
  [
    `name: ${lab}`,
    "nodes:",
    "  a:",
    "    sysctls: { net.ipv4.ip_forward: 1 }",
    "    interfaces:",
    "      vx0: { kind: vxlan, id: 42, remote: 192.0.2.1, local: 192.0.2.2, port: 4790 }",
    "  b: {}",
    "links:",
    "  - endpoints: ['a:eth0', 'b:<b>x<\\b>']",
    "",
  ].join("\n"),
);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanup(lab);
});

describe("the built bin, as an outsider first met it", () => {
  it("run bare: says a command is needed and lists the commands, on stderr, exit 2", () => {
    const r = neslink();
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`neslink: a command is required\n\n${neslink("--help").stdout}`);
    expect(r.stderr).toMatch(/\nCommands:\n {2}ns list/);
  });

  it("graph --format mermaid writes a name's <, > and & as entities; DOT's quoted strings keep them", () => {
    const mermaid = neslink("graph", file, "--format", "mermaid");
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout).toContain('  n_a ---|"eth0 – #lt;b#gt;x#lt;\\b#gt;"| n_b\n');
    expect(mermaid.stdout).not.toMatch(/[<>&](?!br\/>)/);
    expect(neslink("graph", file, "--format", "dot").stdout).toContain('headlabel="<b>x<\\\\b>"');
  });

  it("plan of a node not made yet: its sysctl with no made-up value before, its vxlan with the file's port and local", () => {
    const r = neslink("plan", file);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("  ~ sysctl net.ipv4.ip_forward in a: set to 1\n");
    expect(r.stdout).toContain("  + link vxlan a:vx0 (id 42 remote 192.0.2.1 local 192.0.2.2 port 4790)\n");
    const sysctl = JSON.parse(neslink("plan", file, "--json").stdout).changes.find((c: { object: string }) => c.object === "sysctl");
    expect(sysctl).toMatchObject({ op: "update", name: "net.ipv4.ip_forward", from: null, to: "1" });
    // A plan changes nothing.
    expect(netnsList(lab)).toEqual([]);
  });

  it("monitor --help says a watched namespace is given an nsid, shown by ip netns list", () => {
    expect(neslink("monitor", "--help").stdout).toContain('`ip netns list` shows it as "(id: N)"');
  });
});
