/**
 * An apply that fails on a refused route tells, in its lines and its error, that route as failed with the kernel's
 * error and the routes after it (never sent) as not attempted; --json has them in the failure's `notAttempted`.
 * ip -j shows the node holds none of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-apply-untried-`);
const prefix = uniquePrefix("aun");

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Node a's routes: one made, one refused (its gateway is on none of a's subnets), two after it. */
function labFile(name: string): string {
  const file = `${dir}/${name}.yaml`;
  writeFileSync(
    file,
    [
      `name: ${name}`,
      "nodes:",
      "  a:",
      "    addresses: { eth0: [10.61.0.1/24] }",
      "    routes:",
      "      - { to: 10.70.0.0/16, via: 10.61.0.254 }",
      "      - { to: 10.62.0.0/16, via: 10.63.0.1 }",
      "      - { to: 10.64.0.0/16, via: 10.61.0.254 }",
      "      - { to: 10.65.0.0/16, dev: eth0 }",
      "  b: {}",
      'links: [{ endpoints: ["a:eth0", "b:eth0"] }]',
      "",
    ].join("\n"),
  );
  return file;
}

const routesOf = (netns: string) => ipJson<{ dst: string }[]>("-d", "-n", netns, "route", "show").map((r) => r.dst);
const refused = "+ route 10.62.0.0/16 via 10.63.0.1 in a";
const untried = ["+ route 10.64.0.0/16 via 10.61.0.254 in a", "+ route 10.65.0.0/16 dev eth0 in a"];

it("says which route was refused and which were not attempted, in its lines and its error", () => {
  const name = `${prefix}t`;
  const r = neslink("apply", labFile(name), "--yes");
  expect(r.status).toBe(1);
  expect(r.stdout).toContain(`\n  failed: ${refused}: netlink RTM_NEWROUTE failed: ENETUNREACH`);
  expect(r.stdout).toContain(`\n  not attempted: ${untried.join("; ")}\n`);
  expect(r.stderr).toContain(`\n  ${refused}: netlink RTM_NEWROUTE failed: ENETUNREACH`);
  expect(r.stderr).toContain(`\n    not attempted (stopped by that failure): ${untried.join("; ")}\n`);
  // Nothing untried reads as failed: the plan names them, and after it only the not attempted lines.
  const after = `${r.stdout.slice(r.stdout.indexOf("configuration:"))}${r.stderr}`;
  expect(
    after
      .split("\n")
      .filter((l) => l.includes("10.64.0.0/16"))
      .map((l) => l.slice(0, l.indexOf(":") + 1)),
  ).toEqual(["  not attempted:", "    not attempted (stopped by that failure):"]);
  const routes = routesOf(`${name}-a`);
  expect(routes).toContain("10.70.0.0/16");
  expect(routes.filter((dst) => ["10.62.0.0/16", "10.64.0.0/16", "10.65.0.0/16"].includes(dst))).toEqual([]);
});

it("lists them in --json's failures[].notAttempted", () => {
  const name = `${prefix}j`;
  const r = neslink("--json", "apply", labFile(name), "--yes");
  expect(r.status).toBe(1);
  const { error } = JSON.parse(r.stdout);
  expect(error.code).toBe("ERR_TOPOLOGY_APPLY");
  expect(error.failures).toEqual([{ changes: [refused], notAttempted: untried, error: expect.objectContaining({ code: "ENETUNREACH" }) }]);
  expect(routesOf(`${name}-a`).filter((dst) => ["10.64.0.0/16", "10.65.0.0/16"].includes(dst))).toEqual([]);
});
