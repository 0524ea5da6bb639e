/** The built bin's rough edges found in a first hour, polished: option errors, namespace names with a colon, graph. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("cp11");
const dir = mkdtempSync(`${tmpdir()}/neslink-cp11-`);
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** The addresses `neslink addr list` finds on lo of -n `spec`, but the kernel's own (127.0.0.1, ::1 where lo is up). */
const loAddresses = (spec: string) => {
  const r = neslink("--json", "addr", "list", "-n", spec);
  expect(r.status).toBe(0);
  return (JSON.parse(r.stdout) as { dev: string; address: string }[])
    .filter((a) => a.dev === "lo" && !/^(127\.|::1$)/.test(a.address))
    .map((a) => a.address);
};

describe("a mistyped option", () => {
  it("of a command that passes no arguments through points to the option nearest to it, not to --", () => {
    const r = neslink("apply", "x.yaml", "--yse");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: --yse: is not an option of "neslink apply"; did you mean --yes?\nRun "neslink apply --help" for usage.\n',
    );
    expect(r.status).toBe(2);
  });

  it("of exec still says that the program's own options go after --", () => {
    const r = neslink("exec", "h1", "--yse");
    expect(r.stderr).toMatch(/^neslink: ERR_INVALID_ARGUMENT: --yse: is not an option; .* as in: -- --yse\n/);
    expect(r.status).toBe(2);
  });
});

describe("an option the command does not take", () => {
  it("is named as it was typed", () => {
    const r = neslink("ns", "list", "-n", "foo");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: -n: is not an option of "neslink ns list"\nRun "neslink ns list --help" for usage.\n',
    );
    expect(r.status).toBe(2);
  });
});

describe("a namespace named with a colon (ip netns add LAB:NODE)", () => {
  it("is reached by -n and exec while no running lab has that node; a running lab's node wins", () => {
    const name = `${prefix}:bar`;
    ip("netns", "add", name);
    ip("-n", name, "addr", "add", "10.9.9.9/32", "dev", "lo");
    expect(loAddresses(name)).toEqual(["10.9.9.9"]);
    const exec = neslink("exec", name, "--", "ip", "-br", "addr", "show", "dev", "lo");
    expect(exec.stdout).toContain("10.9.9.9/32");
    expect(exec.status).toBe(0);

    const file = `${dir}/lab.yaml`;
    writeFileSync(file, `name: ${prefix}\nnodes:\n  bar: { addresses: { lo: [10.8.8.8/32] } }\n`);
    expect(neslink("apply", file, "--yes").status).toBe(0);
    expect(loAddresses(name)).toEqual(["10.8.8.8"]);
    // By its path, the other namespace is still reached.
    expect(loAddresses(`/run/netns/${name}`)).toEqual(["10.9.9.9"]);
  });

  it("that is neither a lab's node nor a namespace says how a namespace is reached by its path", () => {
    const r = neslink("link", "list", "-n", `${prefix}:none`);
    expect(r.stderr).toBe(
      `neslink: ERR_NS_NOT_FOUND: no running node none of topology ${prefix}, and no namespace is named "${prefix}:none" in /run/netns (-n /run/netns/NAME reaches a namespace by its path)\n`,
    );
    expect(r.status).toBe(1);
  });
});

describe("graph FILE where a node's namespace is someone else's", () => {
  const lab = `${prefix}g`;
  const note = (node: string) => `neslink: ${lab}: node ${node}: namespace ${lab}-${node} exists and is not this topology's\n`;

  it("draws the lab, says which node's namespace is not the lab's, exit 0; plan says nothing of changes", () => {
    const file = exampleAs("router.yaml", lab, `${dir}/router.yaml`);
    ip("netns", "add", `${lab}-h1`);
    const r = neslink("graph", file);
    expect(r.stdout).toContain('n_h1 ---|"eth0 – eth1"| n_r1');
    expect(r.stderr).toBe(note("h1"));
    expect(r.status).toBe(0);
    const j = neslink("graph", file, "--json");
    expect(JSON.parse(j.stdout).conflicts).toEqual([{ node: "h1", netns: `${lab}-h1`, reason: "exists and is not this topology's" }]);
    expect(j.status).toBe(0);
    const plan = neslink("plan", file);
    expect(plan.stderr).toMatch(/ERR_TOPOLOGY_CONFLICT: .*cannot use these namespaces:\n/);
    expect(plan.stderr).not.toContain("nothing was changed");
    expect(plan.status).toBe(1);
    // apply refuses at its plan, before any change: it says so, as core's apply does.
    const applied = neslink("apply", file, "--yes");
    expect(applied.stderr).toMatch(/ERR_TOPOLOGY_CONFLICT: .*cannot use these namespaces; nothing was changed:\n/);
    expect(applied.status).toBe(1);
  });

  it("where the lab runs, draws its own nodes from the kernel and the other node missing", () => {
    const file = `${dir}/router.yaml`;
    ip("netns", "del", `${lab}-h1`);
    expect(neslink("apply", file, "--yes").status).toBe(0);
    ip("netns", "del", `${lab}-h2`);
    ip("netns", "add", `${lab}-h2`);
    const r = neslink("graph", file);
    expect(r.stdout).toContain('n_h1 ---|"eth0 – eth1"| n_r1');
    expect(r.stdout).toContain("style n_h2 stroke-dasharray: 5 5");
    expect(r.stderr).toBe(note("h2"));
    expect(r.status).toBe(0);
    const inspected = neslink("inspect", file);
    expect(inspected.stdout).toMatch(new RegExp(`${lab} +h2 +${lab}-h2 +missing`));
    expect(inspected.stderr).toBe(note("h2"));
    expect(inspected.status).toBe(0);
  });
});
