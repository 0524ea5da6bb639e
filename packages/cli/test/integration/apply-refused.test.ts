/**
 * What apply says of a link the kernel would not delete (EOPNOTSUPP: a device
 * with no rtnetlink delete, a physical NIC moved into a node by hand): one in
 * a node it removed went with the namespace, one made by hand in a node that
 * stays was left there; a line each, and `linksLeft` / `linksKept` in --json.
 * None such can be made here: the bin runs preloaded with core's
 * netlink-faults.mjs, which sends that link's deletion as one of the
 * loopback's, and the kernel's EOPNOTSUPP is its own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const HOOK = fileURLToPath(new URL("../../../core/test/fixtures/netlink-faults.mjs", import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/neslink-apply-refused-`);
const prefix = uniquePrefix("ar");

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** `neslink ARGS` with the deletion of the links at `indexes` refused by the kernel. */
function refusing(indexes: number[], ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_FAULTS: JSON.stringify({ refuse: { indexes } }) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lab's file with nodes a and b (and c, given `three`), written where the bin reads it. */
function labFile(name: string, three: boolean): string {
  const file = `${dir}/${name}-${three ? 3 : 2}.yaml`;
  const c = three ? "  c: {}\n" : "";
  const toC = three ? '  - endpoints: ["b:eth1", "c:eth0"]\n' : "";
  writeFileSync(file, `name: ${name}\nnodes:\n  a: {}\n  b: {}\n${c}links:\n  - endpoints: ["a:eth0", "b:eth0"]\n${toC}`);
  return file;
}

/** Made as the file says, with `nic0` (index 7777) added by hand in node c and `nic1` (index 7778) in node a. */
function labWithNics(name: string): void {
  expect(refusing([], "apply", labFile(name, true), "--yes").status).toBe(0);
  ip("-n", `${name}-c`, "link", "add", "nic0", "index", "7777", "type", "bridge");
  ip("-n", `${name}-a`, "link", "add", "nic1", "index", "7778", "type", "bridge");
}

const linksOf = (netns: string) =>
  ipJson<{ ifname: string; ifindex: number }[]>("-n", netns, "link", "show").map((l) => [l.ifname, l.ifindex]);

it("says which link went with a removed node's namespace and which was left in a node that stays, and applies the rest", () => {
  const name = `${prefix}t`;
  labWithNics(name);
  const r = refusing([7777, 7778], "apply", labFile(name, false), "--yes");
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(
      `  - link nic0 of node c: the kernel refused to delete it \\(EOPNOTSUPP\\), left to go with namespace ${name}-c \\(a physical device goes back to the host's\\)\n` +
        `  - link nic1 of node a: the kernel refused to delete it \\(EOPNOTSUPP\\), left in namespace ${name}-a \\(to move it back to the host's: ip -n ${name}-a link set dev nic1 netns 1\\)\n` +
        `Applied ${name}: 0 added, 0 changed, 2 destroyed in \\d+ ms\\.\n$`,
    ),
  );
  expect(netnsList(name).sort()).toEqual([`${name}-a`, `${name}-b`]);
  expect(linksOf(`${name}-a`)).toContainEqual(["nic1", 7778]);
  expect(linksOf(`${name}-b`).map(([link]) => link)).toEqual(["lo", "eth0"]);
});

it("lists them in --json's linksLeft and linksKept", () => {
  const name = `${prefix}j`;
  labWithNics(name);
  const r = refusing([7777, 7778], "--json", "apply", labFile(name, false), "--yes");
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout);
  expect(result.linksLeft).toEqual([{ node: "c", netns: `${name}-c`, dev: "nic0" }]);
  expect(result.linksKept).toEqual([{ node: "a", netns: `${name}-a`, dev: "nic1" }]);
  expect(netnsList(name).sort()).toEqual([`${name}-a`, `${name}-b`]);
  expect(linksOf(`${name}-a`)).toContainEqual(["nic1", 7778]);
});

it("fails with ERR_LINK_UNDELETABLE, saying how to move it, for one in the place of a link of the file", () => {
  const name = `${prefix}f`;
  const file = labFile(name, false);
  expect(refusing([], "apply", file, "--yes").status).toBe(0);
  ip("-n", `${name}-a`, "link", "del", "eth0");
  ip("-n", `${name}-a`, "link", "add", "eth0", "index", "7779", "type", "bridge");
  const r = refusing([7779], "--json", "apply", file, "--yes");
  expect(r.status).toBe(1);
  const { error } = JSON.parse(r.stdout);
  expect(error.code).toBe("ERR_TOPOLOGY_APPLY");
  expect(error.failures[0].error.code).toBe("ERR_LINK_UNDELETABLE");
  expect(error.failures[0].error.message).toContain(`ip -n ${name}-a link set dev eth0 netns 1`);
  expect(linksOf(`${name}-a`)).toEqual([
    ["lo", 1],
    ["eth0", 7779],
  ]);
});
