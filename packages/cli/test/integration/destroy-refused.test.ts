/**
 * What destroy says of a link the kernel would not delete (EOPNOTSUPP: a
 * device with no rtnetlink delete, a physical NIC moved into a node by hand),
 * left to go with its node's namespace: a line of its own, and `linksLeft` in
 * --json. None such can be made here: the bin runs preloaded with core's
 * netlink-faults.mjs, which sends that link's deletion as one of the
 * loopback's, and the kernel's EOPNOTSUPP is its own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const HOOK = fileURLToPath(new URL("../../../core/test/fixtures/netlink-faults.mjs", import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/neslink-destroy-refused-`);
const prefix = uniquePrefix("dr");
const parent = `${prefix}p`;

beforeAll(() => ip("link", "add", parent, "type", "bridge"));

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** A lab whose node a destroy reads (it has a macvlan on a host link), with a link `nic0` (index 7777) added by hand. */
function labWithNic(name: string): void {
  const file = `${dir}/${name}.yaml`;
  writeFileSync(file, `name: ${name}\nnodes:\n  a: { interfaces: { mv0: { kind: macvlan, parent: ${parent} } } }\n  b: {}\n`);
  expect(neslink("apply", file, "--yes").status).toBe(0);
  ip("-n", `${name}-a`, "link", "add", "nic0", "index", "7777", "type", "bridge");
}

/** `neslink ARGS` with nic0's deletion refused by the kernel. */
function refusing(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_FAULTS: JSON.stringify({ refuse: { indexes: [7777] } }) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

it("says which link it left to go with its namespace, and destroys the lab", () => {
  const name = `${prefix}t`;
  labWithNic(name);
  const r = refusing("destroy", name, "--yes");
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(
      `^  - a \\(namespace ${name}-a\\)\n  - b \\(namespace ${name}-b\\)\n` +
        `  - link nic0 of node a: the kernel refused to delete it \\(EOPNOTSUPP\\), left to go with namespace ${name}-a \\(a physical device goes back to the host's\\)\n` +
        `Destroyed ${name}: 2 nodes removed in \\d+ ms\\.\n$`,
    ),
  );
  expect(netnsList(name)).toEqual([]);
});

it("lists it in --json's linksLeft", () => {
  const name = `${prefix}j`;
  labWithNic(name);
  const r = refusing("--json", "destroy", name, "--yes");
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).linksLeft).toEqual([{ node: "a", netns: `${name}-a`, dev: "nic0" }]);
  expect(netnsList(name)).toEqual([]);
});
